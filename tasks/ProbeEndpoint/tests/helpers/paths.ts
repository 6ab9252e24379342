import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root (tests run from out/tasks/ProbeEndpoint/tests). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'tasks'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

export const TASK_DIR = path.join(repoRoot(), 'tasks', 'ProbeEndpoint');
export const BUNDLE = path.join(repoRoot(), 'dist', 'tasks', 'ProbeEndpoint', 'index.js');
