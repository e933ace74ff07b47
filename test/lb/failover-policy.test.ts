// The data path's trial-phase decisions as tables, without sockets: each row is a situation a
// proxied connection can be in and what it must do there. A changed decision fails its row.
import { describe, expect, it } from 'vitest';
import {
  clientReadRoom,
  commitsOnBackendBytes,
  commitsOnClientBytes,
  countsAsRetry,
  onBackendEnd,
  onBackendIoFailure,
  onConnectFailure,
  onFirstByteTimeout,
  phaseOnConnect,
  REPLAY_LIMIT_BYTES,
  rejectReason,
  retriesLeft,
  type Phase,
} from '../../src/lb/engine/failover-policy.js';

const LIMIT = REPLAY_LIMIT_BYTES;
const BUFFER = 64 * 1024;

describe('the replay limit', () => {
  it('is one TLS record at its largest: 16 KiB of plaintext and the 5-byte header', () => {
    expect(REPLAY_LIMIT_BYTES).toBe(16389);
  });
});

describe('phaseOnConnect: trial (replay possible) or committed', () => {
  it.each([
    { firstByteTimeoutMs: 3000, replayBytes: 0, phase: 'trial' },
    { firstByteTimeoutMs: 3000, replayBytes: 517, phase: 'trial' },
    { firstByteTimeoutMs: 3000, replayBytes: LIMIT, phase: 'trial' },
    { firstByteTimeoutMs: 3000, replayBytes: LIMIT + 1, phase: 'committed' },
    { firstByteTimeoutMs: 1, replayBytes: 0, phase: 'trial' },
    { firstByteTimeoutMs: 0, replayBytes: 0, phase: 'committed' },
    { firstByteTimeoutMs: 0, replayBytes: 517, phase: 'committed' },
  ])('firstByteTimeout $firstByteTimeoutMs ms, $replayBytes bytes kept: $phase', ({ firstByteTimeoutMs, replayBytes, phase }) => {
    expect(phaseOnConnect(firstByteTimeoutMs, replayBytes)).toBe(phase);
  });
});

describe('clientReadRoom: reading stops while connecting once the replay limit is exceeded', () => {
  it.each<{ phase: Phase; replayBytes: number; room: number }>([
    { phase: 'connecting', replayBytes: 0, room: LIMIT + 1 },
    { phase: 'connecting', replayBytes: 1000, room: LIMIT + 1 - 1000 },
    { phase: 'connecting', replayBytes: LIMIT, room: 1 },
    { phase: 'connecting', replayBytes: LIMIT + 1, room: 0 },
    { phase: 'trial', replayBytes: 0, room: BUFFER },
    { phase: 'trial', replayBytes: LIMIT, room: BUFFER },
    { phase: 'committed', replayBytes: 0, room: BUFFER },
  ])('$phase with $replayBytes bytes kept: room for $room', ({ phase, replayBytes, room }) => {
    expect(clientReadRoom(phase, replayBytes, BUFFER)).toBe(room);
  });

  it('never asks for more than the read buffer holds', () => {
    expect(clientReadRoom('connecting', 0, 4096)).toBe(4096);
  });
});

describe('commits', () => {
  it.each([
    { replayBytes: 1, commits: false },
    { replayBytes: LIMIT, commits: false },
    { replayBytes: LIMIT + 1, commits: true },
  ])('client bytes in the trial, $replayBytes kept: commits $commits', ({ replayBytes, commits }) => {
    expect(commitsOnClientBytes(replayBytes)).toBe(commits);
  });

  it.each<{ phase: Phase; commits: boolean }>([
    { phase: 'trial', commits: true },
    { phase: 'committed', commits: false },
  ])('the backend answers in $phase: commits $commits', ({ phase, commits }) => {
    expect(commitsOnBackendBytes(phase)).toBe(commits);
  });
});

describe('which failure counts against a backend and sends the client on', () => {
  it.each(['connect ECONNREFUSED', 'connect timed out after 1000 ms', 'getaddrinfo ENOTFOUND api.example'])('a failed connect (%s) always fails over, reported as it is', (detail) => {
    expect(onConnectFailure(detail)).toEqual({ action: 'fail-over', detail });
  });

  it.each<{ phase: Phase; clientEnded: boolean; decision: unknown }>([
    { phase: 'trial', clientEnded: false, decision: { action: 'fail-over', detail: 'closed the connection without answering' } },
    { phase: 'trial', clientEnded: true, decision: { action: 'pass-end', commit: true } },
    { phase: 'committed', clientEnded: false, decision: { action: 'pass-end', commit: false } },
    { phase: 'committed', clientEnded: true, decision: { action: 'pass-end', commit: false } },
  ])('the backend closes in $phase, client ended $clientEnded', ({ phase, clientEnded, decision }) => {
    expect(onBackendEnd(phase, clientEnded)).toEqual(decision);
  });

  it.each<{ phase: Phase; clientEnded: boolean; decision: unknown }>([
    { phase: 'trial', clientEnded: false, decision: { action: 'fail-over', detail: 'read ECONNRESET before answering' } },
    { phase: 'trial', clientEnded: true, decision: { action: 'reset-both' } },
    { phase: 'committed', clientEnded: false, decision: { action: 'reset-both' } },
    { phase: 'committed', clientEnded: true, decision: { action: 'reset-both' } },
  ])('a backend read fails in $phase, client ended $clientEnded', ({ phase, clientEnded, decision }) => {
    expect(onBackendIoFailure(phase, clientEnded, 'read ECONNRESET')).toEqual(decision);
  });

  it.each([
    { retriesLeft: true, otherBackendUp: true, decision: { action: 'fail-over', detail: 'no first byte within 3000 ms' } },
    { retriesLeft: true, otherBackendUp: false, decision: { action: 'wait', detail: 'no first byte within 3000 ms' } },
    { retriesLeft: false, otherBackendUp: true, decision: { action: 'wait', detail: 'no first byte within 3000 ms' } },
    { retriesLeft: false, otherBackendUp: false, decision: { action: 'wait', detail: 'no first byte within 3000 ms' } },
  ])('silent past firstByteTimeout, retries left $retriesLeft, another backend up $otherBackendUp', ({ retriesLeft: left, otherBackendUp, decision }) => {
    expect(onFirstByteTimeout(3000, left, otherBackendUp)).toEqual(decision);
  });
});

describe('retries', () => {
  it.each([
    { attempts: 0, retries: 0, left: true },
    { attempts: 1, retries: 0, left: false },
    { attempts: 1, retries: 2, left: true },
    { attempts: 2, retries: 2, left: true },
    { attempts: 3, retries: 2, left: false },
  ])('$attempts tried with retries $retries: another try allowed $left', ({ attempts, retries, left }) => {
    expect(retriesLeft(attempts, retries)).toBe(left);
  });

  it.each([
    { attempts: 0, retry: false },
    { attempts: 1, retry: true },
    { attempts: 3, retry: true },
  ])('the try after $attempts counts as a retry: $retry', ({ attempts, retry }) => {
    expect(countsAsRetry(attempts)).toBe(retry);
  });
});

describe('when no other backend is left', () => {
  it.each([
    { afterFailure: false, exhausted: false, reason: 'no backend is up' },
    { afterFailure: true, exhausted: false, reason: 'no other backend is up' },
    { afterFailure: true, exhausted: true, reason: 'retries exhausted' },
  ])('after a failure $afterFailure, retries exhausted $exhausted: the client is closed with "$reason"', ({ afterFailure, exhausted, reason }) => {
    expect(rejectReason(afterFailure, exhausted)).toBe(reason);
  });
});
