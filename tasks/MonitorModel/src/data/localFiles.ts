// Files under a local folder as CollectedFile entries (the demo's and tests' stand-in for a blob listing).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CollectedFile } from './collected';
import type { ByteSource } from './cells';

/** A file's bytes as a stream (1 MiB chunks: fewer, larger decodes). */
export function fileBytes(file: string): ByteSource {
  return fs.createReadStream(file, { highWaterMark: 1 << 20 });
}

/** Every file under `root`, paths relative to it with forward slashes, sorted. */
export function localFiles(root: string): CollectedFile[] {
  const out: CollectedFile[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else if (e.isFile()) out.push({ path: path.relative(root, abs).split(path.sep).join('/'), open: () => fileBytes(abs) });
    }
  };
  walk(root);
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}
