// The code snapshot: the files of codePath minus what .amlignore (else .gitignore) excludes, and a
// content hash over their paths and bytes. The hash names the code version, so the same content is
// uploaded and registered once.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { refuseLinkOutside } from '../fileLinks';

export interface SnapshotFile {
  /** POSIX path relative to the snapshot root. */
  relativePath: string;
  absolutePath: string;
  size: number;
}

export interface CodeSnapshot {
  root: string;
  files: SnapshotFile[];
  totalBytes: number;
  /** sha256 (hex) over the sorted paths and the file contents. */
  hash: string;
  /** Paths left out by ignore files (for the log). */
  ignoredCount: number;
}

interface Matcher {
  /** Directory of the ignore file, relative to the root ('' for the root). */
  base: string;
  ig: Ignore;
}

/** .amlignore wins over .gitignore in the same folder (as the Azure ML CLI does); .git is never uploaded. */
export const IGNORE_FILES = ['.amlignore', '.gitignore'] as const;

function matcherFor(dirAbs: string, base: string): Matcher | undefined {
  for (const f of IGNORE_FILES) {
    const p = path.join(dirAbs, f);
    if (fs.existsSync(p) && fs.statSync(p).isFile()) return { base, ig: ignore().add(fs.readFileSync(p, 'utf8')) };
  }
  return undefined;
}

function isIgnored(matchers: Matcher[], rel: string, isDir: boolean): boolean {
  for (const m of matchers) {
    const sub = m.base ? rel.slice(m.base.length + 1) : rel;
    if (sub.length === 0) continue;
    if (m.ig.ignores(isDir ? `${sub}/` : sub)) return true;
  }
  return false;
}

/** Lists the files of a snapshot (sorted by path), honouring ignore files in every folder. */
export function listSnapshotFiles(root: string, inputName = 'codePath'): { files: SnapshotFile[]; ignoredCount: number } {
  const files: SnapshotFile[] = [];
  let ignoredCount = 0;
  const walk = (dirAbs: string, rel: string, inherited: Matcher[]): void => {
    const own = matcherFor(dirAbs, rel);
    const matchers = own ? [...inherited, own] : inherited;
    const entries = fs.readdirSync(dirAbs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      const childAbs = path.join(dirAbs, e.name);
      let st: fs.Stats;
      try {
        st = fs.statSync(childAbs);
      } catch {
        continue; // dangling symlink
      }
      const isDir = st.isDirectory();
      if ((isDir && e.name === '.git') || isIgnored(matchers, childRel, isDir)) {
        ignoredCount++;
        continue;
      }
      // a symlinked folder could loop: only real folders are walked
      if (isDir && !e.isSymbolicLink()) walk(childAbs, childRel, matchers);
      else if (st.isFile()) {
        // statSync followed a link: its target must stay inside codePath (fileLinks.ts)
        if (e.isSymbolicLink()) refuseLinkOutside({ inputName, root, file: childAbs, rel: childRel, rootDescription: `${inputName} ${root}` });
        files.push({ relativePath: childRel, absolutePath: childAbs, size: st.size });
      }
    }
  };
  walk(path.resolve(root), '', []);
  files.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
  return { files, ignoredCount };
}

function fileSha256(p: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(p, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** The snapshot and its content hash: the same files with the same bytes give the same hash on any machine. */
export function snapshotCode(root: string): CodeSnapshot {
  const { files, ignoredCount } = listSnapshotFiles(root);
  const h = createHash('sha256');
  let totalBytes = 0;
  for (const f of files) {
    h.update(`${f.relativePath}\0${f.size}\0${fileSha256(f.absolutePath)}\n`);
    totalBytes += f.size;
  }
  return { root: path.resolve(root), files, totalBytes, hash: h.digest('hex'), ignoredCount };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
