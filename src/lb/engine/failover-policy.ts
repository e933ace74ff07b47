// The decisions of a proxied connection before it commits to a backend, as values: what the
// connection is told (its phase, how much of the client it has kept, whether the client has ended,
// what retries are left) goes in, what to do comes out. No sockets and no clock: proxied-connection.ts
// carries the decision out.
//
//   connecting ──connect──▶ trial ──backend's first byte, or client bytes > REPLAY_LIMIT_BYTES──▶ committed
//       ▲  │ fails/times out  │ silent past firstByteTimeout, or closed/reset before answering
//       │  ▼                  ▼
//       └── next healthy backend (up to `retries` more), replaying the client's bytes so far
//
// A failure that sends the client elsewhere is reported against the backend (passive health); one
// that does not (the client had finished, nowhere else to go, the host out of sockets) is not.

/**
 * The most client bytes kept for a replay: one TLS record at its largest (16 KiB of plaintext and its
 * 5-byte header). A ClientHello is 0.3-2 KB (a post-quantum key share included); beyond this the
 * client is sending application data the backend may have acted on, and the connection commits.
 */
export const REPLAY_LIMIT_BYTES = 16 * 1024 + 5;

/**
 * connecting: no backend has the client's bytes yet (kept for the one that connects).
 * trial: a backend is connected and has not answered; the client's bytes are kept for a replay.
 * committed: bytes flow both ways and nothing is replayed any more.
 */
export type Phase = 'connecting' | 'trial' | 'committed' | 'closed';

/** Leave this backend: report `detail` against it and replay the client's bytes on the next one. */
export interface FailOver {
  action: 'fail-over';
  detail: string;
}

/** Once connected: trial when a first byte is awaited and the client's bytes so far can be replayed. */
export function phaseOnConnect(firstByteTimeoutMs: number, replayBytes: number): 'trial' | 'committed' {
  return firstByteTimeoutMs > 0 && replayBytes <= REPLAY_LIMIT_BYTES ? 'trial' : 'committed';
}

/**
 * How many client bytes one read may take. While connecting, no more than can still be kept for the
 * replay plus one byte (to know the limit is exceeded), and 0 (stop reading, nothing grows without
 * bound) once it is; otherwise the whole read buffer.
 */
export function clientReadRoom(phase: Phase, replayBytes: number, bufferLength: number): number {
  if (phase !== 'connecting') return bufferLength;
  if (replayBytes > REPLAY_LIMIT_BYTES) return 0;
  return Math.min(bufferLength, REPLAY_LIMIT_BYTES + 1 - replayBytes);
}

/** Client bytes read in the trial: past the replay limit the backend may act on them, so the connection commits. */
export function commitsOnClientBytes(replayBytes: number): boolean {
  return replayBytes > REPLAY_LIMIT_BYTES;
}

/** A byte from the backend is its answer: the trial ends. */
export function commitsOnBackendBytes(phase: Phase): boolean {
  return phase === 'trial';
}

/** A connect that failed or timed out delivered nothing: always safe to try the next backend. */
export function onConnectFailure(detail: string): FailOver {
  return { action: 'fail-over', detail };
}

export type BackendEndDecision = FailOver | { action: 'pass-end'; commit: boolean };

const CLOSED_WITHOUT_ANSWERING: FailOver = { action: 'fail-over', detail: 'closed the connection without answering' };
const COMMIT_AND_PASS_END: BackendEndDecision = { action: 'pass-end', commit: true };
const PASS_END: BackendEndDecision = { action: 'pass-end', commit: false };

/**
 * The backend's end (FIN) was read. In the trial it closed without a word: as good as hung, unless the
 * client had finished too (a port probe that connects and closes is not the backend's failure). Also
 * when the client's first bytes have not been read yet: an apiserver killed just after its kernel
 * completed the handshake closes before the ClientHello reaches it, and passing that end on would fail
 * the client.
 */
export function onBackendEnd(phase: Phase, clientEnded: boolean): BackendEndDecision {
  if (phase !== 'trial') return PASS_END;
  return clientEnded ? COMMIT_AND_PASS_END : CLOSED_WITHOUT_ANSWERING;
}

/** A read or write on the backend failed: before its answer that is a hung backend, after it both sides are reset (not reported). */
export function onBackendIoFailure(phase: Phase, clientEnded: boolean, detail: string): FailOver | { action: 'reset-both' } {
  if (phase === 'trial' && !clientEnded) return { action: 'fail-over', detail: `${detail} before answering` };
  return { action: 'reset-both' };
}

/**
 * The backend stayed silent past firstByteTimeout. With nowhere to go (no retry left, or no other
 * backend up) the connection waits: a slow backend may still answer, and cutting the client would help
 * no one. Not reported either: with a single backend that is only slow, a passive failure would turn
 * slow into down for every new client.
 */
export function onFirstByteTimeout(firstByteTimeoutMs: number, retriesLeft: boolean, otherBackendUp: boolean): FailOver | { action: 'wait'; detail: string } {
  const detail = `no first byte within ${firstByteTimeoutMs} ms`;
  if (!retriesLeft || !otherBackendUp) return { action: 'wait', detail };
  return { action: 'fail-over', detail };
}

/** `attempts` backends tried so far: the first try and `retries` more are allowed. */
export function retriesLeft(attempts: number, retries: number): boolean {
  return attempts <= retries;
}

/** Another attempt after the first counts as a retry (of the load balancer and of the backend tried). */
export function countsAsRetry(attempts: number): boolean {
  return attempts > 0;
}

export type RejectReason = 'no backend is up' | 'retries exhausted' | 'no other backend is up';

/** No backend to try: why the client is closed, for its log line. */
export function rejectReason(afterFailure: boolean, exhausted: boolean): RejectReason {
  if (!afterFailure) return 'no backend is up';
  return exhausted ? 'retries exhausted' : 'no other backend is up';
}
