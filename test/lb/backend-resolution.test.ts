// Where the data path is told to connect for each backend: literals of either family as written, host
// names through the resolver (A or AAAA, its first answer), failures and unusable answers as reasons.
import { ADDRCONFIG } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { literalBackend, resolveBackend, type Lookup } from '../../src/lb/backend-resolution.js';
import type { BackendAddress } from '../../src/lb/types.js';

const backend = (host: string): BackendAddress => ({ name: 'm1', host, port: 6443, weight: 1 });

/** A resolver that answers `answer` (or fails with `error`) and records what it was asked. */
function scripted(answer: { address: string; family: number } | Error): { lookup: Lookup; asked: unknown[] } {
  const asked: unknown[] = [];
  const lookup: Lookup = (host, options) => {
    asked.push({ host, ...options });
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return { lookup, asked };
}

describe('backend addresses for the data path', () => {
  it.each([
    ['198.18.0.11', '198.18.0.11:6443'],
    ['2001:2::11', '[2001:2::11]:6443'],
  ])('a literal %s goes as it is, without asking the resolver; its address reads %s', async (host, address) => {
    const { lookup, asked } = scripted(new Error('not asked'));
    expect(await resolveBackend(backend(host), lookup)).toEqual({ name: 'm1', weight: 1, address, ip: host, port: 6443 });
    expect(asked).toEqual([]);
  });

  it('a host name is not resolved yet until the resolver answers', () => {
    expect(literalBackend(backend('api.example'))).toMatchObject({ ip: null, unresolved: 'not resolved yet: api.example', address: 'api.example:6443' });
  });

  it("a host name asks for either family (family 0) with AI_ADDRCONFIG, and takes the resolver's first answer", async () => {
    const { lookup, asked } = scripted({ address: '198.18.0.11', family: 4 });
    expect(await resolveBackend(backend('api.example'), lookup)).toMatchObject({ ip: '198.18.0.11', address: 'api.example:6443' });
    expect(asked).toEqual([{ host: 'api.example', family: 0, hints: ADDRCONFIG }]);
  });

  it('an AAAA answer is used, in canonical text (one spelling per address)', async () => {
    const { lookup } = scripted({ address: '2001:2:0:0:0:0:0:11', family: 6 });
    expect(await resolveBackend(backend('api.example'), lookup)).toMatchObject({ ip: '2001:2::11' });
  });

  it('a link-local answer with a zone cannot be connected to: the backend says why instead of connecting elsewhere', async () => {
    const { lookup } = scripted({ address: 'fe80::1%eth0', family: 6 });
    const resolved = await resolveBackend(backend('api.example'), lookup);
    expect(resolved.ip).toBeNull();
    expect(resolved.unresolved).toMatch(/^api\.example resolved to fe80::1%eth0, which tsvip cannot connect to/);
  });

  it("a failed lookup is the backend's reason, as a connect failure would report it", async () => {
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND api.example'), { code: 'ENOTFOUND', syscall: 'getaddrinfo' });
    const { lookup } = scripted(error);
    expect(await resolveBackend(backend('api.example'), lookup)).toMatchObject({ ip: null, unresolved: 'getaddrinfo ENOTFOUND' });
  });
});
