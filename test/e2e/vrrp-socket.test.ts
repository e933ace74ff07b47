// VRRP on a real wire between lab hosts: what tsvip's raw socket sends is what keepalived expects on the wire
// (protocol 112, TTL 255, TOS 0xC0, 224.0.0.18 or the unicast peer, the configured source).
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { useLab, type Lab, type LabHost } from '../lab/index.js';
import type { SpawnedProcess } from '../../src/lab/spawned-process.js';
import { decode, encode, passAuthData, type Advertisement } from '../../src/vrrp/packet.js';

const PROBE = fileURLToPath(new URL('./probes/vrrp-socket.mjs', import.meta.url));

interface Received {
  ttl: number;
  tos: number;
  protocol: number;
  source: string;
  destination: string;
  payload: string;
}

async function waitFor<T>(read: () => T | undefined, what: string, limitMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function receivedPackets(listener: SpawnedProcess): Received[] {
  return listener
    .output()
    .stdout.split('\n')
    .filter((line) => line.includes('"payload"'))
    .map((line) => JSON.parse(line) as Received);
}

async function listen(lab: Lab, host: LabHost, mode: 'multicast' | 'unicast'): Promise<SpawnedProcess> {
  const listener = lab.spawn(host, [process.execPath, PROBE, 'listen', 'eth0', mode]);
  await waitFor(() => (listener.output().stdout.includes('listening') ? true : undefined), 'the listener to start');
  return listener;
}

describe('the VRRP socket between lab hosts', () => {
  const lab = useLab({ hosts: 2 });
  const advert: Advertisement = { version: 2, vrid: 51, priority: 150, adverIntervalMs: 1000, addresses: ['198.18.0.100'], auth: { type: 'pass', password: passAuthData('k8s-vip') } };

  test('multicast: 224.0.0.18 from the primary address, TTL 255, TOS 0xC0, the advert intact', async () => {
    const listener = await listen(lab(), lab().host(2), 'multicast');
    const payload = Buffer.from(encode(advert)).toString('hex');
    await lab().runOk(lab().host(1), [process.execPath, PROBE, 'send', 'eth0', '224.0.0.18', '-', payload, '3']);
    const packet = await waitFor(() => receivedPackets(listener)[0], 'a multicast advert at host 2');
    expect(packet).toEqual({ ttl: 255, tos: 0xc0, protocol: 112, source: lab().host(1).address, destination: '224.0.0.18', payload });
    expect(decode(Buffer.from(packet.payload, 'hex'))).toEqual({ ok: true, value: advert });
    listener.kill('SIGTERM');
  });

  test('unicast from a configured source that is not the primary address (IP_HDRINCL)', async () => {
    const [h1, h2] = [lab().host(1), lab().host(2)];
    await lab().runOk(h1, ['ip', 'addr', 'add', '198.18.0.201/24', 'dev', 'eth0']);
    const listener = await listen(lab(), h2, 'unicast');
    const v3: Advertisement = { version: 3, vrid: 52, priority: 100, adverIntervalMs: 100, addresses: ['198.18.0.100'] };
    const payload = Buffer.from(encode(v3, { envelope: { source: '198.18.0.201', destination: h2.address } })).toString('hex');
    await lab().runOk(h1, [process.execPath, PROBE, 'send', 'eth0', h2.address, '198.18.0.201', payload, '3']);
    const packet = await waitFor(() => receivedPackets(listener)[0], 'a unicast advert at host 2');
    expect(packet).toEqual({ ttl: 255, tos: 0xc0, protocol: 112, source: '198.18.0.201', destination: h2.address, payload });
    expect(decode(Buffer.from(packet.payload, 'hex'), { source: packet.source, destination: packet.destination })).toMatchObject({ ok: true, v3Checksum: 'pseudoHeader', value: v3 });
    listener.kill('SIGTERM');
  });
});
