// Assembles the build context (the layout the scoring image and the ACI emulator rely on),
// hashes it, and packs it as a tar.gz for ACR Tasks.
//   Dockerfile | scoring/server.py | scoring/score.py | scoring/<sourceDirectory> | model/<files> | environment/<file>
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import ignore from 'ignore';
import { TaskError } from '../../shared/src/errors';
import { refuseLinkOutside } from '../../shared/src/fileLinks';
import { DockerfileOptions, ENVIRONMENT_FILES, generateScoringDockerfile } from './dockerfile';

export type EnvironmentFile = { kind: 'conda' | 'pip'; file: string };

export interface ContextSources {
  scoringScript: string;
  serverPy: string;
  modelDir: string;
  environment?: EnvironmentFile;
  sourceDirectory?: string;
  /** The user's Dockerfile; when absent one is generated from `baseImage`. */
  dockerfile?: string;
  baseImage: string;
  modelId: string;
  /** WORKER_COUNT for the generated Dockerfile (undefined: the container's CPU count). */
  workers?: number;
}

export interface BuildContext {
  dir: string;
  /** Relative POSIX paths, sorted. */
  files: string[];
  /** sha256 (hex) over every file's path, mode and content. */
  hash: string;
  dockerfilePath: string;
  generatedDockerfile: boolean;
}

export { APP_ROOT, LINEAGE_BUILD_ARGS } from './dockerfile';
export const ENVIRONMENT_PATH: Record<EnvironmentFile['kind'], string> = ENVIRONMENT_FILES;

const ALWAYS_SKIPPED = ['.git/', '__pycache__/', '*.pyc', '.ipynb_checkpoints/'];

/** The Dockerfile for the AML scoring layout (dockerfile.ts holds it and the rules it follows). */
export function generateDockerfile(o: DockerfileOptions): string {
  return generateScoringDockerfile(o);
}

/** Files of a folder (relative POSIX paths), honouring its .amlignore / .gitignore and skipping VCS/cache folders. */
export function listFolder(root: string, o: { honourIgnoreFiles: boolean; inputName?: string }): string[] {
  const ig = ignore().add(ALWAYS_SKIPPED);
  if (o.honourIgnoreFiles) {
    for (const f of ['.amlignore', '.gitignore']) {
      const p = path.join(root, f);
      if (fs.existsSync(p)) ig.add(fs.readFileSync(p, 'utf8'));
    }
  }
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!ig.ignores(`${r}/`)) walk(r);
      } else if (e.isFile() || (e.isSymbolicLink() && isFile(path.join(root, r)))) {
        if (ig.ignores(r)) continue;
        // a linked file is copied into the image: its target must stay inside the folder (fileLinks.ts)
        if (e.isSymbolicLink()) refuseLinkOutside({ inputName: o.inputName ?? 'sourceDirectory', root, file: path.join(root, r), rel: r, rootDescription: `${o.inputName ?? 'the folder'} ${root}` });
        out.push(r);
      }
    }
  };
  walk('');
  return out.sort();
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function copyInto(dir: string, rel: string, from: string): void {
  const dest = path.join(dir, ...rel.split('/'));
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(from, dest);
  const mode = fs.statSync(from).mode & 0o111 ? 0o755 : 0o644;
  fs.chmodSync(dest, mode);
}

/** Copies every source into `dir` (empty or absent) in the scoring layout and hashes the result. */
export function assembleContext(src: ContextSources, dir: string): BuildContext {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  if (src.sourceDirectory) {
    for (const rel of listFolder(src.sourceDirectory, { honourIgnoreFiles: true, inputName: 'sourceDirectory' })) {
      copyInto(dir, `scoring/${rel}`, path.join(src.sourceDirectory, ...rel.split('/')));
    }
  }
  // score.py and the wrapper win over same-named files of sourceDirectory (inputs.ts rejects a server.py there).
  copyInto(dir, 'scoring/score.py', src.scoringScript);
  copyInto(dir, 'scoring/server.py', src.serverPy);
  for (const rel of listFolder(src.modelDir, { honourIgnoreFiles: false })) {
    copyInto(dir, `model/${rel}`, path.join(src.modelDir, ...rel.split('/')));
  }
  if (src.environment) copyInto(dir, ENVIRONMENT_PATH[src.environment.kind], src.environment.file);
  if (src.dockerfile) {
    copyInto(dir, 'Dockerfile', src.dockerfile);
  } else {
    fs.writeFileSync(path.join(dir, 'Dockerfile'), generateDockerfile({ baseImage: src.baseImage, environment: src.environment?.kind, modelId: src.modelId, workers: src.workers }));
  }
  const files = listFolder(dir, { honourIgnoreFiles: false });
  return { dir, files, hash: hashContext(dir, files), dockerfilePath: 'Dockerfile', generatedDockerfile: !src.dockerfile };
}

export function hashContext(dir: string, files: readonly string[]): string {
  const h = crypto.createHash('sha256');
  for (const rel of [...files].sort()) {
    const full = path.join(dir, ...rel.split('/'));
    const exec = fs.statSync(full).mode & 0o111 ? 'x' : '-';
    const content = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex');
    h.update(`${rel}\0${exec}\0${content}\n`);
  }
  return h.digest('hex');
}

/** A deterministic tar.gz of the context (sorted entries, fixed owner and mtime). */
export async function packContext(ctx: BuildContext): Promise<Buffer> {
  // tar-stream loads here, after the first ARM request (README.md, 'Cold start')
  const tar = await import('./tarPack');
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const gzip = zlib.createGzip();
  const done = new Promise<Buffer>((resolve, reject) => {
    gzip.on('data', (c: Buffer) => chunks.push(c));
    gzip.on('end', () => resolve(Buffer.concat(chunks)));
    gzip.on('error', reject);
    pack.on('error', reject);
  });
  pack.pipe(gzip);
  const mtime = new Date(0);
  for (const rel of ctx.files) {
    const full = path.join(ctx.dir, ...rel.split('/'));
    const data = fs.readFileSync(full);
    const mode = fs.statSync(full).mode & 0o111 ? 0o755 : 0o644;
    await new Promise<void>((resolve, reject) => {
      pack.entry({ name: rel, size: data.length, mode, mtime, uid: 0, gid: 0, type: 'file' }, data, (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  return done;
}

/** One COPY/ADD instruction of a Dockerfile. */
export interface CopyInstruction {
  line: number;
  instruction: 'COPY' | 'ADD';
  sources: string[];
  destination: string;
  /** COPY --from=<stage>: sources come from another image, not the context. */
  fromStage?: string;
}

/** Logical lines of a Dockerfile (continuations joined, comments dropped), with their first line number. */
function logicalLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let current = '';
  let start = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.trim();
    if (current === '' && (t === '' || t.startsWith('#'))) return;
    if (current !== '' && t.startsWith('#')) return;
    if (current === '') start = i + 1;
    if (t.endsWith('\\')) {
      current += t.slice(0, -1) + ' ';
    } else {
      current += t;
      out.push({ line: start, text: current.trim() });
      current = '';
    }
  });
  if (current.trim()) out.push({ line: start, text: current.trim() });
  return out;
}

export function parseCopyInstructions(dockerfile: string): CopyInstruction[] {
  const out: CopyInstruction[] = [];
  for (const { line, text } of logicalLines(dockerfile)) {
    const m = /^(COPY|ADD)\s+(.*)$/i.exec(text);
    if (!m) continue;
    let rest = m[2].trim();
    let fromStage: string | undefined;
    for (let flag = /^--([a-z-]+)(?:=(\S*))?\s+/i.exec(rest); flag; flag = /^--([a-z-]+)(?:=(\S*))?\s+/i.exec(rest)) {
      if (flag[1].toLowerCase() === 'from') fromStage = flag[2];
      rest = rest.slice(flag[0].length);
    }
    let args: string[];
    if (rest.startsWith('[')) {
      try {
        args = JSON.parse(rest) as string[];
      } catch {
        args = rest.split(/\s+/);
      }
    } else {
      args = rest.split(/\s+/);
    }
    if (args.length < 2) continue;
    out.push({ line, instruction: m[1].toUpperCase() as 'COPY' | 'ADD', sources: args.slice(0, -1), destination: args[args.length - 1], ...(fromStage ? { fromStage } : {}) });
  }
  return out;
}

function globToRegExp(glob: string): RegExp {
  const re = glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${re}(/.*)?$`);
}

/** COPY/ADD sources (outside `--from` stages and URLs) that match nothing in the context. */
export function missingCopySources(dockerfile: string, files: readonly string[]): { line: number; source: string }[] {
  const missing: { line: number; source: string }[] = [];
  for (const c of parseCopyInstructions(dockerfile)) {
    if (c.fromStage !== undefined) continue;
    for (const s of c.sources) {
      if (/^https?:\/\//i.test(s)) continue;
      const norm = path.posix.normalize(s.replace(/^\.?\/+/, '')).replace(/\/+$/, '');
      if (norm === '.' || norm === '') continue;
      const re = globToRegExp(norm);
      if (!files.some((f) => re.test(f))) missing.push({ line: c.line, source: s });
    }
  }
  return missing;
}

/** Fails before any upload when the Dockerfile copies something the context does not hold. */
export function checkDockerfileSources(ctx: BuildContext, inputName: string): void {
  const text = fs.readFileSync(path.join(ctx.dir, ctx.dockerfilePath), 'utf8');
  const missing = missingCopySources(text, ctx.files);
  if (missing.length > 0) {
    const list = missing.map((m) => `line ${m.line}: '${m.source}'`).join(', ');
    const prefix = ctx.generatedDockerfile ? 'The generated Dockerfile' : `Input '${inputName}': the Dockerfile`;
    throw new TaskError(`${prefix} copies files the build context does not hold (${list}). The context holds Dockerfile, scoring/, model/ and environment/.`);
  }
}
