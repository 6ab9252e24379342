// The task loader (scripts/task-loader.js, each bundle's index.js) on the agent's Node runtimes: it runs the
// bundle exactly as `node bundle.js` would, writes a V8 code cache beside the task on the first run (one per file
// the run loaded: bundle.js and the chunks it required), starts later runs from them without rewriting them, and
// falls back silently when a cache is garbage or cannot be written there (then Agent.TempDirectory). The bundle is ProbeEndpoint's, run without inputs: it loads
// the whole bundle and stops at its first input, which is quick and touches nothing.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../reliability/helpers';
import { findRuntime, handlerMajors } from './runtimes';

const DIST = path.join(ROOT, 'dist', 'tasks', 'ProbeEndpoint');

function freshTask(): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'code-cache-')), 'ProbeEndpoint');
  fs.cpSync(DIST, dir, { recursive: true, filter: (src) => !path.basename(src).startsWith('.v8cache-') });
  return dir;
}

function run(node: string, file: string, env: Record<string, string> = {}): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(node, [file], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** What the agent shows without system.debug (debug lines carry stacks, which name the loader). */
const shown = (out: string): string => out.split('\n').filter((l) => !l.startsWith('##vso[task.debug]')).join('\n');
const caches = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f.startsWith('.v8cache-')).sort();
const bytes = (dir: string, names: string[]): number => names.reduce((a, n) => a + fs.statSync(path.join(dir, n)).size, 0);

for (const rt of handlerMajors().map(findRuntime).filter((r) => r.node)) {
  describe(`the task loader's V8 code cache on Node ${rt.version}`, function () {
    this.timeout(120_000);
    const node = rt.node as string;

    it('runs the bundle as `node bundle.js` does, writes the cache on the first run and starts the next from it', () => {
      const dir = freshTask();
      const plain = run(node, path.join(dir, 'bundle.js'));
      assert.deepEqual(caches(dir), [], 'node bundle.js alone writes nothing');
      const first = run(node, path.join(dir, 'index.js'));
      assert.match(first.stdout, /##vso\[task\.complete result=Failed;\]Input 'scoringUri': is required/);
      assert.equal(shown(first.stdout), shown(plain.stdout));
      assert.equal(first.stderr, plain.stderr);
      assert.equal(first.status, plain.status);
      const written = caches(dir);
      // bundle.js and the chunks it requires before it stops at the input: one cache each, none for the rest
      const files = fs.readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'index.js');
      assert.ok(written.length > 1 && written.length < files.length, `a cache per loaded file (${written.length} of ${files.length} files)`);
      for (const c of written) assert.ok(c.endsWith(`-${rt.version}-${process.arch}`), `named for ${rt.version}: ${c}`);
      assert.ok(bytes(dir, written) > 10_000, `${bytes(dir, written)} bytes of bytecode`);
      const times = written.map((c) => fs.statSync(path.join(dir, c)).mtimeMs);
      const second = run(node, path.join(dir, 'index.js'));
      assert.equal(shown(second.stdout), shown(plain.stdout));
      assert.equal(second.stderr, plain.stderr);
      assert.deepEqual(caches(dir), written);
      assert.deepEqual(written.map((c) => fs.statSync(path.join(dir, c)).mtimeMs), times, 'an accepted cache is not written again');
    });

    it('replaces a cache V8 rejects and runs the same', () => {
      const dir = freshTask();
      run(node, path.join(dir, 'index.js'));
      const written = caches(dir);
      for (const c of written) fs.writeFileSync(path.join(dir, c), 'not bytecode');
      const r = run(node, path.join(dir, 'index.js'));
      assert.match(r.stdout, /Input 'scoringUri': is required/);
      assert.equal(r.stderr, '');
      assert.deepEqual(caches(dir), written);
      for (const c of written) assert.notEqual(fs.readFileSync(path.join(dir, c), 'utf8'), 'not bytecode', `${c} rewritten`);
      assert.ok(bytes(dir, written) > 10_000, 'rewritten with real bytecode');
    });

    it('when the task folder takes no cache, keeps it in Agent.TempDirectory, and without one runs the same, silently', () => {
      const dir = freshTask();
      run(node, path.join(dir, 'index.js'));
      const written = caches(dir);
      // a directory where each cache file would go: it can be neither read nor replaced
      for (const c of written) {
        fs.rmSync(path.join(dir, c));
        fs.mkdirSync(path.join(dir, c));
      }
      const alone = run(node, path.join(dir, 'index.js'));
      assert.match(alone.stdout, /Input 'scoringUri': is required/);
      assert.equal(alone.stderr, '');
      for (const c of written) assert.deepEqual(fs.readdirSync(path.join(dir, c)), []);
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left behind');
      const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-temp-'));
      const withTemp = run(node, path.join(dir, 'index.js'), { AGENT_TEMPDIRECTORY: temp });
      assert.equal(shown(withTemp.stdout), shown(alone.stdout));
      assert.deepEqual(caches(temp), written);
    });
  });
}
