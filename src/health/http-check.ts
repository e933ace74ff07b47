// HTTP(S) check: GET the URL on a fresh connection; healthy when the status is the expected one
// (200 by default, as kube-apiserver's /readyz and /livez answer). The body is read and dropped.
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { TsvipError } from '../errors.js';
import { formatHostPort } from '../net/host-port.js';
import { abortDetail, errorDetail, type CheckOutcome, type Checker } from './checker.js';

export interface HttpCheckOptions {
  url: string | URL;
  /** https only: accept any certificate (kube-apiserver's is often for names we don't dial). */
  insecureSkipVerify?: boolean;
  /** https only: PEM CA certificates to trust instead of Node's bundled roots. Read once, here. */
  caFile?: string | null;
  expectStatus?: number;
}

/** The URL a load balancer's `healthCheck` probes on one backend. */
export function backendCheckUrl(options: { type: 'http' | 'https'; host: string; port: number; path: string }): URL {
  // An IPv6 host goes in brackets (RFC 3986 3.2.2); node:http takes them off again to connect.
  return new URL(`${options.type}://${formatHostPort(options.host, options.port)}${options.path}`);
}

/** Throws ERR_CA_FILE, naming the file, when it cannot be read: a typo must not look like a TLS error. */
export function readCaFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TsvipError('ERR_CA_FILE', `cannot read caFile ${path}: ${errorDetail(error)}`, { cause: error });
  }
}

export function httpChecker(options: HttpCheckOptions): Checker {
  const url = new URL(options.url);
  const expectStatus = options.expectStatus ?? 200;
  const https = url.protocol === 'https:';
  const requestOptions: RequestOptions = {
    method: 'GET',
    // No keep-alive agent: each probe dials anew, so a check sees what a new client would see.
    agent: false,
    headers: { 'user-agent': 'tsvip-health-check', accept: '*/*', connection: 'close' },
  };
  if (https) {
    requestOptions.rejectUnauthorized = options.insecureSkipVerify !== true;
    if (options.caFile) requestOptions.ca = readCaFile(options.caFile);
  }
  const send = https ? httpsRequest : httpRequest;

  return {
    check: (signal) =>
      new Promise<CheckOutcome>((resolve) => {
        if (signal.aborted) {
          resolve({ ok: false, detail: abortDetail(signal) });
          return;
        }
        let settled = false;
        const done = (outcome: CheckOutcome): void => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          resolve(outcome);
        };
        const request = send(url, requestOptions);
        const onAbort = (): void => {
          done({ ok: false, detail: abortDetail(signal) });
          request.destroy();
        };
        request.on('response', (response: IncomingMessage) => {
          const status = response.statusCode ?? 0;
          const outcome = { ok: status === expectStatus, detail: `HTTP ${status}` };
          response.resume();
          // The answer counts once the body has been read (or the server closed mid-body).
          response.on('end', () => done(outcome));
          response.on('close', () => done(outcome));
          response.on('error', () => done(outcome));
        });
        // Stays attached after settling: destroy() on abort emits 'error' too.
        request.on('error', (error) => done({ ok: false, detail: errorDetail(error) }));
        signal.addEventListener('abort', onAbort, { once: true });
        request.end();
      }),
  };
}
