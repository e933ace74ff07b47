// Optional basic auth for / and /status (`status.auth`, docs/status.md "Basic auth"), as haproxy's
// `stats auth` gave the old setups. The password lives in a file so that it stays out of vip.yaml,
// the pod manifest and /status. Credentials are compared as SHA-256 digests with timingSafeEqual:
// equal lengths whatever was sent, and no early exit that would tell an attacker how much of a guess
// was right.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { StatusConfig } from '../config/schema.js';
import { TsvipError } from '../errors.js';

export interface StatusCredentials {
  user: string;
  /** The digest of `user:password`, the form the Authorization header carries. */
  digest: Buffer;
}

export type AuthResult = 'ok' | 'missing' | 'wrong';

const digestOf = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** The password in status.auth.passwordFile. Throws ERR_STATUS_AUTH with the reason. */
export function readStatusPassword(auth: NonNullable<StatusConfig['auth']>): string {
  let text: string;
  try {
    text = readFileSync(auth.passwordFile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (code ?? String(error));
    throw new TsvipError('ERR_STATUS_AUTH', `status.auth.passwordFile ${auth.passwordFile}: ${reason}`, { cause: error });
  }
  // `echo secret > file` leaves a newline that nobody means as part of the password.
  const password = text.replace(/\r?\n$/, '');
  if (password.length === 0) throw new TsvipError('ERR_STATUS_AUTH', `status.auth.passwordFile ${auth.passwordFile}: the file is empty; put the password in it`);
  if (password.includes('\n')) throw new TsvipError('ERR_STATUS_AUTH', `status.auth.passwordFile ${auth.passwordFile}: the password must be one line`);
  return password;
}

/** Reads status.auth.passwordFile; null without status.auth. Throws ERR_STATUS_AUTH with the reason. */
export function loadStatusCredentials(auth: StatusConfig['auth']): StatusCredentials | null {
  if (auth === undefined) return null;
  return { user: auth.user, digest: digestOf(`${auth.user}:${readStatusPassword(auth)}`) };
}

/** Checks an Authorization header against the credentials. */
export function checkBasicAuth(header: string | undefined, credentials: StatusCredentials): AuthResult {
  if (header === undefined) return 'missing';
  // token68 as base64 writes it: padding only at the end. Node's decoder would stop at a '=' inside and
  // ignore what follows, taking a malformed header for the credentials before the '='.
  const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (match === null) return 'wrong';
  const sent = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  return timingSafeEqual(digestOf(sent), credentials.digest) ? 'ok' : 'wrong';
}
