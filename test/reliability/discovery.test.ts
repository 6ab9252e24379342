// A new task is a one-folder change: the build, the package and the cross-task suites find the tasks in tasks/
// themselves. Here: the suites' discovery agrees with the build's (scripts/tasks.mjs), every task declares what
// the suites need, and a copy of tasks/_template in a scratch checkout is built, found and run by the
// reliability fixture with no edit outside its folder.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestBed, type TestBed } from '../harness/testbed';
import { ROOT, type Fixture, type TaskHarness } from './fixture';
import { HARNESSES, oneLine, TASKS } from './helpers';
import { harnessSource, taskFolders } from './tasks';

/** scripts/tasks.mjs's answer for a checkout (an ES module: asked in a child Node). */
function buildTaskFolders(root: string): string[] {
  const script = `import { taskFolders } from ${JSON.stringify(path.join(ROOT, 'scripts', 'tasks.mjs'))}; console.log(JSON.stringify(taskFolders(${JSON.stringify(root)})));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as string[];
}

/** The template's declaration, compiled beside this suite (out/tasks/_template/tests/harness.js). */
function templateHarness(): TaskHarness {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.resolve(__dirname, '..', '..', 'tasks', '_template', 'tests', 'harness.js')) as { harness: TaskHarness }).harness;
}

describe('reliability: tasks are found in tasks/, not listed', function () {
  this.timeout(180_000);

  it('finds the same tasks as the build and the package, and skips tasks/_template', () => {
    assert.deepEqual(TASKS, buildTaskFolders(ROOT));
    assert.ok(TASKS.length >= 5, TASKS.join(', '));
    assert.ok(!TASKS.includes('_template'));
  });

  it('every task declares its fixture, eight bad inputs, a fault target and a runtime failure in its own folder', () => {
    for (const task of TASKS) {
      assert.ok(fs.existsSync(harnessSource(task)), `tasks/${task}/tests/harness.ts`);
      const h = HARNESSES[task];
      assert.equal(typeof h.fixture, 'function', task);
      const files = { file: (rel: string): string => rel, missing: (name: string): string => name };
      assert.ok(h.badInputs(files).length >= 8, `${task} has fewer than 8 bad-input cases`);
      assert.ok(h.faults.target.path instanceof RegExp, task);
      assert.ok(h.failure.names instanceof RegExp, task);
    }
  });

  describe('a copy of tasks/_template in a scratch checkout', () => {
    const name = `Copied${crypto.randomBytes(3).toString('hex')}`;
    let root: string;
    let bed: TestBed | undefined;
    let f: Fixture | undefined;

    before(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'template-copy-'));
      for (const item of ['scripts', 'schemas', 'vss-extension.json', 'package.json']) fs.cpSync(path.join(ROOT, item), path.join(root, item), { recursive: true });
      fs.cpSync(path.join(ROOT, 'tasks', 'shared', 'src'), path.join(root, 'tasks', 'shared', 'src'), { recursive: true });
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
      // the copy, as the template's README says: cp -r tasks/_template tasks/<TaskName>
      fs.cpSync(path.join(ROOT, 'tasks', '_template'), path.join(root, 'tasks', name), { recursive: true });
    });
    after(async () => {
      await f?.stop();
      await bed?.stop();
      fs.rmSync(root, { recursive: true, force: true });
    });

    const build = (): { status: number | null; output: string } => {
      const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8', env: { ...process.env, BUILD_NO_MINIFY: '' } });
      return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
    };
    const editTaskJson = (edit: (t: Record<string, unknown>) => void): void => {
      const file = path.join(root, 'tasks', name, 'task.json');
      const t = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      edit(t);
      fs.writeFileSync(file, JSON.stringify(t, null, 2));
    };

    it('is found by the build and the suites as soon as it has a task.json, with its declaration', () => {
      assert.deepEqual(buildTaskFolders(root), [name]);
      assert.deepEqual(taskFolders(root), [name]);
      assert.ok(fs.existsSync(harnessSource(name, root)));
    });

    it('is refused by the build until its task.json has its own name and id, then bundled', () => {
      const first = build();
      assert.equal(first.status, 1, first.output);
      assert.match(first.output, new RegExp(`${name}/task.json keeps the template's id 00000000-`));
      assert.match(first.output, new RegExp(`${name}/task.json name '_template' differs from its folder`));
      editTaskJson((t) => {
        t.name = name;
        t.id = crypto.randomUUID();
      });
      const second = build();
      assert.equal(second.status, 0, second.output);
      assert.match(second.output, new RegExp(`bundled ${name}: \\d+ KiB`));
      assert.ok(fs.existsSync(path.join(root, 'dist', 'tasks', name, 'index.js')));
    });

    it("runs in the reliability fixture its folder declares: happy path Succeeded, a bad input fails in one line naming it", async () => {
      assert.ok(fs.existsSync(path.join(root, 'dist', 'tasks', name, 'index.js')), 'built by the case before');
      bed = await startTestBed();
      const h = templateHarness();
      f = await h.fixture({ task: name, bed, dist: path.join(root, 'dist', 'tasks') });
      const ok = await f.run(f.inputs());
      assert.equal(ok.result, 'Succeeded', `${ok.message}\n${ok.stdout.slice(-2000)}\n${ok.stderr.slice(-1000)}`);
      assert.match(ok.outputs.workspaceId ?? '', /\/workspaces\/mlw$/);
      const bad = h.badInputs({ file: (rel) => rel, missing: (n) => n })[0];
      const failed = await f.run({ ...f.inputs(), ...bad.inputs(f) });
      assert.equal(failed.result, 'Failed');
      assert.ok(oneLine(failed.message) && failed.message!.startsWith(`Input '${bad.input}'`), failed.message);
    });
  });
});
