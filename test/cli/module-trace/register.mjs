// Preloaded with `node --import`: records every module the process loads, written to the file named by
// TSVIP_MODULE_TRACE when it exits (one URL per line).
import { register } from 'node:module';
import { writeFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const urls = new Set();
port1.on('message', (url) => urls.add(url));
port1.unref();
register(new URL('./hooks.mjs', import.meta.url), { data: { port: port2 }, transferList: [port2] });
process.on('exit', () => {
  // Messages still queued on the port are delivered before 'exit' only if the loop ran; draining
  // synchronously is not possible, so the hooks also send each URL at once (see hooks.mjs).
  const out = process.env.TSVIP_MODULE_TRACE;
  if (out) writeFileSync(out, [...urls].join('\n'));
});
