// TCP check: the port accepts a connection. Nothing is sent.
import { connect } from 'node:net';
import { abortDetail, errorDetail, type CheckOutcome, type Checker } from './checker.js';

export interface TcpCheckOptions {
  host: string;
  port: number;
}

export function tcpChecker(options: TcpCheckOptions): Checker {
  return {
    check: (signal) =>
      new Promise<CheckOutcome>((resolve) => {
        if (signal.aborted) {
          resolve({ ok: false, detail: abortDetail(signal) });
          return;
        }
        const socket = connect({ host: options.host, port: options.port });
        let settled = false;
        const done = (outcome: CheckOutcome, close: () => void): void => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          close();
          resolve(outcome);
        };
        const onAbort = (): void => done({ ok: false, detail: abortDetail(signal) }, () => socket.destroy());
        // Close with a reset, as haproxy's checks do (SO_LINGER 0): a probe every two seconds per
        // backend would otherwise leave a TIME_WAIT socket behind each time.
        socket.once('connect', () => done({ ok: true, detail: 'connected' }, () => socket.resetAndDestroy()));
        socket.once('error', (error) => done({ ok: false, detail: errorDetail(error) }, () => socket.destroy()));
        signal.addEventListener('abort', onAbort, { once: true });
      }),
  };
}
