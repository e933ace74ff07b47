// One address of haproxy's `bind` or `server`, read as haproxy reads it (configuration.txt, "bind" and
// "server"): an optional `ipv4@`/`ipv6@` family prefix; an IPv6 address in brackets, or unbracketed with
// the port after the LAST colon (so `2001:db8::11:6443` is 2001:db8::11 port 6443, and `:::9445` is ::
// port 9445); an empty address or `*` is every IPv4 address (every IPv6 one with `ipv6@`). Pure.
import { isIpv4, parseIpv6 } from '../net/address.js';
import { bytesToIpv6 } from '../net/ipv6-bytes.js';

export type HaproxyAddress =
  | {
      ok: true;
      /** IPv4 as written, IPv6 canonical, `0.0.0.0` or `::` for every address, or a host name (servers only). */
      host: string;
      port: number | undefined;
      /** The address was IPv6 without brackets: its port came after the last colon. */
      lastColon: boolean;
    }
  | { ok: false; reason: string };

const PORT = /^\d{1,5}$/;

export function readHaproxyAddress(text: string, use: 'bind' | 'server'): HaproxyAddress {
  const prefix = /^([a-z0-9]+)@/.exec(text)?.[1];
  if (prefix !== undefined && prefix !== 'ipv4' && prefix !== 'ipv6') return { ok: false, reason: `${prefix}@ addresses are not supported: tsvip ${use === 'bind' ? 'listens on' : 'connects to'} TCP addresses` };
  if (text.startsWith('/')) return { ok: false, reason: 'unix sockets are not supported: tsvip proxies TCP' };
  const rest = prefix === undefined ? text : text.slice(prefix.length + 1);
  let hostText: string;
  let portText: string | undefined;
  let bracketed = false;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || (close < rest.length - 1 && rest.charAt(close + 1) !== ':')) return { ok: false, reason: 'a [bracketed] address must end with ] or ]:PORT' };
    hostText = rest.slice(1, close);
    portText = close < rest.length - 1 ? rest.slice(close + 2) : undefined;
    bracketed = true;
  } else {
    const colon = rest.lastIndexOf(':');
    hostText = colon < 0 ? rest : rest.slice(0, colon);
    portText = colon < 0 ? undefined : rest.slice(colon + 1);
  }
  let port: number | undefined;
  if (portText !== undefined) {
    if (!PORT.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      return { ok: false, reason: `${portText === '' ? 'an empty port' : `port ${portText}`}: only one port from 1 to 65535 is supported (no ranges or +/- offsets)` };
    }
    port = Number(portText);
  }
  if (use === 'bind' && port === undefined) return { ok: false, reason: 'a TCP bind needs a port' };
  const wildcard = hostText === '' || hostText === '*';
  if (wildcard && use === 'server') return { ok: false, reason: "no address (haproxy then connects to the client's own destination, as a transparent proxy): tsvip needs the backend's address" };
  if (wildcard) return { ok: true, host: prefix === 'ipv6' ? '::' : '0.0.0.0', port, lastColon: false };
  const ipv6 = parseIpv6(hostText);
  if (ipv6 !== null && prefix !== 'ipv4') {
    const host = bytesToIpv6(ipv6);
    if (use === 'server' && host === '::') return { ok: false, reason: "address :: (haproxy then connects to the client's own destination): tsvip needs the backend's address" };
    return { ok: true, host, port, lastColon: !bracketed && hostText.includes(':') };
  }
  if (isIpv4(hostText) && prefix !== 'ipv6') {
    if (use === 'server' && hostText === '0.0.0.0') return { ok: false, reason: "address 0.0.0.0 (haproxy then connects to the client's own destination): tsvip needs the backend's address" };
    return { ok: true, host: hostText, port, lastColon: false };
  }
  if (bracketed || hostText.includes(':')) {
    return { ok: false, reason: `haproxy reads the part after the last colon as the port, which leaves ${hostText}, not an IPv6 address${bracketed ? '' : ' (write an IPv6 address in brackets: [ADDRESS]:PORT)'}` };
  }
  if (prefix !== undefined) return { ok: false, reason: `${hostText} is not an ${prefix === 'ipv4' ? 'IPv4' : 'IPv6'} address` };
  if (use === 'bind') return { ok: false, reason: `${hostText} is a host name, which haproxy resolves at start-up: tsvip listens on addresses (write the address it stands for)` };
  return { ok: true, host: hostText, port, lastColon: false };
}
