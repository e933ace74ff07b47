// The values the command line's options are defined with. Kept apart from the commands themselves so
// that parsing the command line loads none of them: each command's code is imported when it runs.
export { LOG_LEVELS } from '../log-levels.js';

/** Where `tsvip status` asks by default: status.listen's default. */
export const DEFAULT_STATUS_URL = 'http://127.0.0.1:9901';

export const MANIFEST_KINDS = ['pod', 'systemd'] as const;
