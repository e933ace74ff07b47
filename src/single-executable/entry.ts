// The single executable's main script (bundled as CommonJS by scripts/package.mjs, which has no
// top-level await).
import { main } from '../cli/main.js';

void main(process.argv).then((code) => {
  process.exitCode = code;
});
