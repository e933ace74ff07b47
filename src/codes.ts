// Every stable code tsvip gives an error or a log event, in one place. docs/codes.md says for each what
// happened and what the operator does; test/architecture/codes.test.ts fails when a code is used in
// src/ without being listed here, listed without being used, or left out of docs/codes.md.

/** Codes of thrown errors (TsvipError and its subclasses), also logged as `code`. */
export const ERROR_CODES = [
  'ERR_CONFIG_INVALID',
  'ERR_CONFIG_FILE',
  'ERR_HOST_CHECK',
  'ERR_NETLINK',
  'ERR_NETLINK_EVENTS',
  'ERR_VRRP_TRANSPORT',
  'ERR_SOCKET_CALL',
  'ERR_GARP',
  'ERR_UNSOLICITED_NA',
  'ERR_STATUS_BIND',
  'ERR_STATUS_AUTH',
  'ERR_LB_BIND',
  'ERR_LB_CONFIG',
  'ERR_LB_ENGINE',
  'ERR_BACKEND_NAME',
  'ERR_TRACKER_NAME',
  'ERR_TRACKER_ADDRESS',
  'ERR_MONITOR_OPTIONS',
  'ERR_MONITOR_STOPPED',
  'ERR_CHECK_TIMEOUT',
  'ERR_CA_FILE',
  'ERR_COMMAND_LINE',
  'ERR_LAB_PREFLIGHT',
  'ERR_LAB_COMMAND',
  'ERR_LAB_USAGE',
  'ERR_LAB_TIMEOUT',
] as const;

/** Codes that only log lines carry: something happened that the operator may want to know or act on. */
export const EVENT_CODES = [
  'ERR_VRRP_SEND',
  'ERR_VIP_ADD',
  'ERR_VIP_REMOVE',
  'ERR_NOTIFY_FAILED',
  'ERR_NOTIFY_TIMEOUT',
  'ERR_NO_PROGRAM',
  'ERR_SPAWN',
  'ERR_RELOAD',
  'ERR_SHUTDOWN',
  'ERR_SHUTDOWN_DEADLINE',
  'ERR_STATUS_REQUEST',
  'ERR_LB_NO_BACKEND',
  'ERR_LB_DESCRIPTORS',
  'STALE_VIP_REMOVED',
  'VIP_DELETED_EXTERNALLY',
  'VIP_DAD_STATE',
  'STATUS_AUTH_FAILED',
  'STATUS_LISTEN_NOT_RELOADED',
  'EVENT_LOOP_DELAY',
  'LB_BACKEND_UP',
  'LB_BACKEND_DOWN',
  'LB_POOL_UP',
  'LB_POOL_DOWN',
  'LB_DRAIN_CUT',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
export type EventCode = (typeof EVENT_CODES)[number];
/** Every code a log line's `code` field may hold. */
export type Code = ErrorCode | EventCode;
