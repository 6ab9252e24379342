// The agent runs a task's bundle on its own Node for the handler it picks (task.json: Node20_1 and Node24).
// Here every bundled task runs its happy path and one failure path on each of those majors, the exact
// version in every test title. The runner itself stays on the developer's Node; the runtimes come from
// `npm run runtimes` (test/integration/runtimes.ts). A missing runtime is said in one line and its runs
// are left out; NODE_RUNTIMES_REQUIRED=1 (CI) makes it a failure instead.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, HARNESSES, oneLine, ROOT, TASKS, type Fixture } from '../reliability/helpers';
import { findRuntime, handlerMajors, type Runtime } from './runtimes';

const runtimes: Runtime[] = handlerMajors().map(findRuntime);
const LOADED_MODULES = path.join(ROOT, 'test', 'harness', 'loaded-modules.js');
const present = runtimes.filter((r) => r.node);
for (const r of runtimes.filter((x) => !x.node)) {
  if (process.env.NODE_RUNTIMES_REQUIRED === '1') {
    describe(`the bundled tasks on Node ${r.major}`, () => {
      it(`Node ${r.major} is available (NODE_RUNTIMES_REQUIRED=1)`, () => assert.fail(r.missing));
    });
  } else {
    console.log(`  Node ${r.major} runtime missing, its bundle runs are left out: ${r.missing}`);
  }
}

if (present.length > 0) {
  describe(`the bundled tasks on the agent's Node runtimes (${present.map((r) => r.version).join(', ')})`, function () {
    this.timeout(180_000);
    for (const task of TASKS) {
      describe(task, () => {
        let f: Fixture;
        before(async () => {
          f = await FIXTURES[task]();
        });
        after(async () => {
          await f?.stop();
        });
        for (const rt of present) {
          it(`Node ${rt.version}: the happy path succeeds, without loading undici`, async () => {
            const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'loaded-modules-')), 'builtins.txt');
            const env = { NODE_OPTIONS: `--require ${LOADED_MODULES}`, AZ_LOADED_MODULES_LOG: log };
            const run = await f.run(f.inputs(), { nodePath: rt.node, env });
            assert.equal(run.result, 'Succeeded', `${run.message ?? ''}\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-1000)}`);
            assert.doesNotMatch(run.stderr, /DeprecationWarning|ExperimentalWarning/, `no runtime warnings on Node ${rt.version}`);
            // Node's fetch/FormData implementation costs 20–100 ms to load and no task needs it: the pipeline's
            // FormData check must not touch the lazy global (scripts/build.mjs, lazy-form-data)
            const builtins = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
            assert.ok(builtins.includes('https'), `the preload saw the run (${builtins.length} built-ins)`);
            assert.deepEqual(builtins.filter((m) => /undici/.test(m)), [], `undici loaded on Node ${rt.version}`);
          });
          // one failure per task (most reach Azure), declared in its folder: one line naming the input or the missing resource
          const failure = HARNESSES[task].failure;
          it(`Node ${rt.version}: ${failure.title} fails in one line naming what is wrong`, async () => {
            const run = await f.run({ ...f.inputs(), ...failure.inputs }, { nodePath: rt.node });
            assert.equal(run.result, 'Failed', `${run.message ?? ''}\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-1000)}`);
            assert.ok(oneLine(run.message), `one line: ${run.message}`);
            assert.match(run.message ?? '', failure.names);
            assert.doesNotMatch(run.stderr, /DeprecationWarning|ExperimentalWarning|^\s+at /m, `no runtime warnings or stack on Node ${rt.version}`);
          });
        }
      });
    }
  });
}
