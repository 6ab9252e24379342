// A place that holds data files (a datastore folder, a blob, a local folder in the tests): its files with
// their paths relative to it, each readable as a stream (CSV, JSON lines) or by byte ranges (Parquet).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ByteSource } from './cells';
import type { CollectedFile } from './collected';
import { fileBytes } from './localFiles';
import { fileRanges } from './parquet';

export interface DataFile extends CollectedFile {
  size: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

export interface DataLocation {
  /** for messages: where this is (no secret: datastore and path, never a SAS URL) */
  description: string;
  files(): Promise<DataFile[]>;
}

/** A local file or every file under a local folder (the L0 tests' and the bench's stand-in for a datastore). */
export function localLocation(root: string, description = root): DataLocation {
  return {
    description,
    files: () => {
      if (!fs.existsSync(root)) return Promise.resolve([]);
      if (fs.statSync(root).isFile()) return Promise.resolve([localFile(root, path.basename(root))]);
      const out: DataFile[] = [];
      const walk = (dir: string): void => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          const abs = path.join(dir, e.name);
          if (e.isDirectory()) walk(abs);
          else if (e.isFile()) out.push(localFile(abs, path.relative(root, abs).split(path.sep).join('/')));
        }
      };
      walk(root);
      return Promise.resolve(out.sort((a, b) => (a.path < b.path ? -1 : 1)));
    },
  };
}

function localFile(abs: string, rel: string): DataFile {
  const ranges = (): ReturnType<typeof fileRanges> => fileRanges(abs);
  return { path: rel, size: fs.statSync(abs).size, open: (): ByteSource => fileBytes(abs), read: (s, e) => ranges().read(s, e) };
}
