// Files the task needs at run time. The bundle has them beside index.js (assets/ and tool-lib.json,
// copied by the build); the tsc output (tests) finds them in the source tree. Both are found by
// walking up from __dirname.
import * as fs from 'node:fs';
import * as path from 'node:path';

const CANDIDATES = (name: string): string[] => [path.join('assets', name), name, path.join('tasks', 'CreateImage', 'assets', name)];

export function findAsset(name: string, o: { optional?: boolean; from?: string } = {}): string | undefined {
  let dir = o.from ?? __dirname;
  for (;;) {
    for (const c of CANDIDATES(name)) {
      const p = path.join(dir, c);
      if (fs.existsSync(p)) return p;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (o.optional) return undefined;
  throw new Error(`The task's file '${name}' is missing beside ${__dirname}: the task package is incomplete.`);
}
