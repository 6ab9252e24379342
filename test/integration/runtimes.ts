// The Node runtimes the agent runs our bundles on, as `npm run runtimes` (scripts/node-runtimes.mjs)
// provides them: the Node running the tests when its major matches, else the copy unpacked into
// .cache/node-runtimes/node-<major>/ (NODE_RUNTIMES_DIR moves it). Nothing here downloads.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../reliability/helpers';

export interface Runtime {
  major: number;
  /** The node binary, when this machine has one of that major. */
  node?: string;
  /** Its exact `node --version`. */
  version?: string;
  /** Why there is none. */
  missing?: string;
}

/** The majors of the tasks' Node handlers (task.json execution: Node20_1 → 20, Node24 → 24). */
export function handlerMajors(): number[] {
  const majors = new Set<number>();
  for (const dir of fs.readdirSync(path.join(ROOT, 'tasks'))) {
    const file = path.join(ROOT, 'tasks', dir, 'task.json');
    if (!fs.existsSync(file)) continue;
    const execution = (JSON.parse(fs.readFileSync(file, 'utf8')) as { execution?: Record<string, unknown> }).execution ?? {};
    for (const handler of Object.keys(execution)) {
      const m = /^Node(\d+)/.exec(handler);
      if (m) majors.add(Number(m[1]));
    }
  }
  return [...majors].sort((a, b) => a - b);
}

export function findRuntime(major: number): Runtime {
  if (Number(process.versions.node.split('.')[0]) === major) return { major, node: process.execPath, version: process.version };
  const dir = path.join(process.env.NODE_RUNTIMES_DIR ?? path.join(ROOT, '.cache', 'node-runtimes'), `node-${major}`);
  const node = [path.join(dir, 'bin', 'node'), path.join(dir, 'bin', 'node.exe'), path.join(dir, 'node.exe')].find((p) => fs.existsSync(p));
  if (!node) return { major, missing: `no Node ${major} here (this is ${process.version}, nothing in ${path.relative(ROOT, dir) || dir}): npm run runtimes fetches it` };
  try {
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    if (!version.startsWith(`v${major}.`)) return { major, missing: `${node} is ${version}, not Node ${major}: npm run runtimes replaces it` };
    return { major, node, version };
  } catch (err) {
    return { major, missing: `${node} does not run (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): npm run runtimes replaces it` };
  }
}
