// Size of what users download: the .vsix and each task bundle, beside the baseline of shipping the
// same dependencies unbundled as a per-task node_modules (what most published tasks do).
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

function dirSize(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += dirSize(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(2)} MB`;

export function benchSizes(root: string): string[] {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const paths = execFileSync(npm, ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8' })
    .split('\n').filter((p) => p.includes('node_modules'));
  // nested packages are inside their parents' folders: count only top-level package folders
  const top = [...new Set(paths.map((p) => p.replace(/(node_modules\/(@[^/]+\/)?[^/]+).*$/, '$1')))];
  const nodeModules = top.reduce((a, p) => a + (existsSync(p) ? dirSize(p) : 0), 0);
  const lines = [`baseline: production node_modules of one task = ${mb(nodeModules)} (${top.length} packages)`];
  const dist = join(root, 'dist');
  const vsix = readdirSync(dist).find((f) => f.endsWith('.vsix'));
  const tasksDir = join(dist, 'tasks');
  const tasks = readdirSync(tasksDir);
  for (const t of tasks) {
    // bundle.js, the chunks it loads on first use and its loader (index.js, scripts/task-loader.js)
    const size = readdirSync(join(tasksDir, t)).filter((f) => f.endsWith('.js')).reduce((a, f) => a + statSync(join(tasksDir, t, f)).size, 0);
    lines.push(`bundle ${t.padEnd(14)} ${mb(size).padStart(9)}  (${(nodeModules / size).toFixed(0)}× smaller than its node_modules; bundle.js alone ${mb(statSync(join(tasksDir, t, 'bundle.js')).size)})`);
  }
  if (vsix) {
    const size = statSync(join(dist, vsix)).size;
    lines.push(`vsix ${vsix}: ${mb(size)}  vs ${tasks.length} × node_modules (uncompressed) = ${mb(nodeModules * tasks.length)} (${((nodeModules * tasks.length) / size).toFixed(0)}× smaller)`);
  }
  return lines;
}
