// `tsvip start --pretty`: the same JSON lines, made readable for a terminal
// ("12:00:01.234 INFO  vrrp VI_1  backup -> master: master down timer  priority=150").
// A small formatter rather than pino-pretty: one screen of code instead of a dependency tree.
import { Writable } from 'node:stream';

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SHOWN_ELSEWHERE = new Set(['level', 'time', 'pid', 'hostname', 'part', 'instance', 'msg']);

export function prettyLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
  const level = (LEVEL_NAMES[Number(record.level)] ?? String(record.level)).padEnd(5);
  const where = [record.part, record.instance].filter((value) => typeof value === 'string').join(' ');
  const fields = Object.entries(record)
    .filter(([key]) => !SHOWN_ELSEWHERE.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return [time, level, where, String(record.msg ?? ''), fields].filter((part) => part !== '').join('  ');
}

export function prettyStream(out: NodeJS.WritableStream = process.stdout): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line !== '') out.write(`${prettyLine(line)}\n`);
      callback();
    },
  });
}
