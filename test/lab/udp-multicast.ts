// UDP datagrams to a multicast group between lab hosts, to check what the bridge delivers. VRRP itself
// (IP protocol 112) needs a raw socket, but the bridge picks ports by the destination group alone, so
// a datagram to ff02::12 or 224.0.0.18 goes where an advert would. The listener joins the group, which
// makes the host's kernel send the MLD or IGMP report that snooping learns from; a host that must not
// join is watched with tcpdump instead, which sees what reaches its interface whatever it joined.
import type { Lab, LabHost, SpawnedProcess } from './index.js';
import { onLines, Waiters } from '../../src/lab/waiters.js';
import { requireTool } from './system-tools.js';

export interface GroupPort {
  /** 'ff02::12' (link-scoped, so sent and joined on the host's eth0) or an IPv4 group such as '224.0.0.18'. */
  readonly group: string;
  readonly port: number;
}

/** Output of a process in the lab, line by line, with a way to wait for a line. */
export interface Lines {
  readonly process: SpawnedProcess;
  readonly lines: readonly string[];
  /** Resolves with the first line matching, already seen or to come; rejects after timeoutMs naming `what`. */
  waitFor(match: (line: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
}

// Node names the interface of an IPv6 group by zone ('::%eth0') and of an IPv4 one by its address.
const groupFamily = `
const ipv6 = group.includes(':');
const type = ipv6 ? 'udp6' : 'udp4';
const interfaceName = ipv6 ? '::%' + iface : address;
const destination = ipv6 ? group + '%' + iface : group;
`;

const listenerScript = `
const dgram = require('node:dgram');
const [group, port, iface, address] = process.argv.slice(1);
${groupFamily}
const socket = dgram.createSocket({ type, reuseAddr: true });
socket.on('message', (message) => console.log('received ' + message.toString()));
socket.bind(Number(port), () => {
  socket.addMembership(group, interfaceName);
  console.log('joined ' + group);
});
`;

const senderScript = `
const dgram = require('node:dgram');
const [group, port, iface, address, ...messages] = process.argv.slice(1);
${groupFamily}
const socket = dgram.createSocket(type);
socket.bind(0, async () => {
  socket.setMulticastInterface(interfaceName);
  for (const message of messages) {
    await new Promise((resolve, reject) => socket.send(message, Number(port), destination, (error) => (error ? reject(error) : resolve())));
  }
  socket.close();
});
`;

/** A UDP socket on the host joined to the group; prints `joined GROUP`, then `received TEXT` per datagram. */
export function joinGroup(lab: Lab, host: LabHost, to: GroupPort): Lines {
  return watchLines(lab.spawn(host, [process.execPath, '-e', listenerScript, to.group, String(to.port), host.iface, host.address]));
}

/** Sends each message as one datagram to the group from the host's eth0. */
export async function sendToGroup(lab: Lab, host: LabHost, to: GroupPort, messages: readonly string[]): Promise<void> {
  await lab.runOk(host, [process.execPath, '-e', senderScript, to.group, String(to.port), host.iface, host.address, ...messages], { timeoutMs: 10_000 });
}

/** tcpdump on the host's eth0 for UDP to `port`; resolves once it is capturing. */
export async function captureUdp(lab: Lab, host: LabHost, port: number): Promise<Lines> {
  const tcpdump = requireTool('tcpdump', 'tcpdump');
  const capture = watchLines(lab.spawn(host, [tcpdump, '-i', host.iface, '-n', '-l', 'udp', 'and', 'port', String(port)]));
  await capture.waitFor((line) => line.startsWith('listening on'), `tcpdump on ${host.name} to start capturing`);
  return capture;
}

function watchLines(spawned: SpawnedProcess): Lines {
  const lines: string[] = [];
  const waiters = new Waiters();
  const onLine = (line: string): void => {
    lines.push(line);
    waiters.wake();
  };
  onLines(spawned.child.stdout, onLine);
  onLines(spawned.child.stderr, onLine);
  return {
    process: spawned,
    lines,
    waitFor: (match, what, timeoutMs = 10_000) =>
      waiters.waitFor(() => lines.find(match), {
        timeoutMs,
        timeoutError: () => new Error(`waited ${timeoutMs} ms for ${what}; \`${spawned.argv.join(' ')}\` printed:\n${lines.join('\n')}`),
      }),
  };
}
