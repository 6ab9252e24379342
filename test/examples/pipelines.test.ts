// Every YAML pipeline under examples/ is parsed and each `task: X@1` step is checked against
// tasks/X/task.json (input names, required inputs, pick lists, booleans, major version).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { taskFolders } from '../reliability/tasks';
import { checkTaskStep, findTaskSteps, isVisible, repoRoot, TaskJson, TaskStep } from './task-steps';

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(d.name) ? [p] : [];
  });
}

const examples = path.join(repoRoot, 'examples');
// conda files and the job files of TrainModel's `jobFile` (examples/jobs: checked by tasks/TrainModel/tests/jobfile/examples.test.ts) are no pipelines
const files = yamlFiles(examples).filter((f) => !f.endsWith(path.join('environment', 'conda.yml')) && !f.includes(`${path.sep}jobs${path.sep}`));
// Every task of the extension, found in tasks/ (a new task's steps and its README are checked with no edit here).
const ourTasks = taskFolders(repoRoot);
// The tasks of the example project's story (examples/pipelines, the README's and overview's walk-through): a new
// task joins it when those pages show it, and is then named here.
const storyTasks = ['TrainModel', 'RegisterModel', 'CreateImage', 'DeployToACI', 'ProbeEndpoint', 'DeployOnlineEndpoint', 'MonitorModel'];

// A task.json made for the negative tests, so they do not depend on any real task's inputs.
const fixtureTask: TaskJson = {
  name: 'Fixture', version: { Major: 1 },
  inputs: [
    { name: 'azureSubscription', type: 'connectedService:AzureRM', required: true, aliases: ['azureServiceConnection'] },
    { name: 'modelName', type: 'string', required: true },
    { name: 'action', type: 'pickList', required: true, defaultValue: 'register', options: { register: 'Register', promote: 'Promote' } },
    { name: 'modelVersion', type: 'string', required: true, visibleRule: 'action = promote' },
    { name: 'region', type: 'pickList', options: { eastus: 'East US' }, properties: { EditableOptions: 'True' } },
    { name: 'wait', type: 'boolean', defaultValue: true },
  ],
};
const lookupFixture = (name: string): TaskJson | undefined => (name === 'Fixture' ? fixtureTask : undefined);
const stepsOf = (text: string): TaskStep[] => findTaskSteps(yaml.load(text));

describe('examples: YAML pipelines', () => {
  it('finds the example pipelines and they use every task of the story', () => {
    const names = files.map((f) => path.relative(examples, f)).sort();
    assert.deepStrictEqual(names, ['pipelines/build.yml', 'pipelines/monitor.yml', 'pipelines/release.yml']);
    const used = new Set(files.flatMap((f) => stepsOf(fs.readFileSync(f, 'utf8')).map((s) => s.task.split('@')[0])));
    for (const t of storyTasks) assert.ok(used.has(t), `no example pipeline uses ${t}`);
  });

  for (const file of files) {
    describe(path.relative(repoRoot, file), () => {
      const text = fs.readFileSync(file, 'utf8');
      it('is valid YAML with task steps', () => {
        const doc = yaml.load(text);
        assert.ok(doc && typeof doc === 'object', 'not a YAML mapping');
        assert.ok(findTaskSteps(doc).length > 0, 'no task steps');
      });
      for (const step of stepsOf(text).filter((s) => ourTasks.includes(s.task.split('@')[0]))) {
        it(`${step.task} at ${step.where}: inputs match tasks/${step.task.split('@')[0]}/task.json`, () => {
          const name = step.task.split('@')[0];
          assert.ok(fs.existsSync(path.join(repoRoot, 'tasks', name, 'task.json')), `tasks/${name}/task.json does not exist (yet)`);
          assert.deepStrictEqual(checkTaskStep(step), []);
        });
        it(`${step.task} at ${step.where}: a misspelled input name is caught`, function () {
          const name = step.task.split('@')[0];
          assert.ok(fs.existsSync(path.join(repoRoot, 'tasks', name, 'task.json')), `tasks/${name}/task.json does not exist (yet)`);
          const [first] = Object.keys(step.inputs);
          const { [first]: value, ...rest } = step.inputs;
          const typo = `${first.slice(0, -1)}x${first.slice(-1)}`;
          const errors = checkTaskStep({ ...step, inputs: { ...rest, [typo]: value } });
          assert.ok(errors.some((e) => e.includes(`no input '${typo}'`)), errors.join('\n'));
        });
      }
    });
  }

  // Every page a user copies YAML from: the marketplace page, the README, each task's README.
  const pages = ['overview.md', 'README.md', ...ourTasks.map((t) => `tasks/${t}/README.md`)];
  for (const page of pages) {
    describe(`${page}: every YAML example`, () => {
      const text = fs.readFileSync(path.join(repoRoot, page), 'utf8');
      const blocks = [...text.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m) => m[1]);
      if (page === 'overview.md' || page === 'README.md') {
        it('has YAML examples for every task of the story', () => {
          const used = new Set(blocks.flatMap((b) => stepsOf(b).map((st) => st.task.split('@')[0])));
          for (const t of storyTasks) assert.ok(used.has(t), `${page} has no YAML example of ${t}`);
        });
      } else {
        it('has a YAML example of its task', () => {
          const task = page.split('/')[1];
          assert.ok(blocks.some((b) => stepsOf(b).some((st) => st.task.split('@')[0] === task)), `${page} has no YAML example of ${task}`);
        });
      }
      blocks.forEach((block, i) => {
        for (const step of stepsOf(block)) {
          it(`example ${i + 1}: ${step.task} inputs match its task.json`, () => {
            assert.deepStrictEqual(checkTaskStep({ ...step, where: `${page} yaml block ${i + 1}` }), []);
          });
        }
      });
    });
  }

  describe('the checker itself (in-memory YAML)', () => {
    const check = (text: string): string[] => stepsOf(text).flatMap((s) => checkTaskStep(s, lookupFixture));

    it('accepts a correct step (alias, default, hidden required input, editable list, macro values)', () => {
      assert.deepStrictEqual(check(`
steps:
  - task: Fixture@1
    inputs:
      azureServiceConnection: conn
      modelName: m
      region: westeurope
      wait: $(waitForIt)
`), []);
    });
    it('fails on a misspelled input name', () => {
      const errors = check('steps:\n  - task: Fixture@1\n    inputs:\n      azureSubscription: c\n      modelNme: m\n');
      assert.ok(errors.some((e) => /no input 'modelNme'/.test(e)), errors.join('\n'));
      assert.ok(errors.some((e) => /requires input 'modelName'/.test(e)), errors.join('\n'));
    });
    it('fails on a missing required input that is visible (visibleRule true)', () => {
      const errors = check('jobs:\n- job: a\n  steps:\n  - task: Fixture@1\n    inputs: { azureSubscription: c, modelName: m, action: promote }\n');
      assert.deepStrictEqual(errors.length, 1, errors.join('\n'));
      assert.match(errors[0], /requires input 'modelVersion'/);
    });
    it('fails on a value outside a closed pick list, and on a non-boolean boolean', () => {
      const errors = check('steps:\n- task: Fixture@1\n  inputs: { azureSubscription: c, modelName: m, action: delete, wait: maybe }\n');
      assert.ok(errors.some((e) => /input 'action' is 'delete'; allowed: register, promote/.test(e)), errors.join('\n'));
      assert.ok(errors.some((e) => /input 'wait' is 'maybe'; expected true or false/.test(e)), errors.join('\n'));
    });
    it('fails on an unknown task and on a wrong major version', () => {
      const errors = check('steps:\n- task: Fixtur@1\n- task: Fixture@2\n  inputs: { azureSubscription: c, modelName: m }\n- task: PublishPipelineArtifact@1\n');
      assert.strictEqual(errors.length, 2, errors.join('\n'));
      assert.match(errors[0], /task 'Fixtur' is neither in tasks\//);
      assert.match(errors[1], /Fixture@2 does not exist/);
    });
    it('evaluates visibleRule clauses', () => {
      const v = new Map([['a', 'x'], ['b', ''], ['c', '$(later)']]);
      assert.strictEqual(isVisible('a = x', v), true);
      assert.strictEqual(isVisible('a != x', v), false);
      assert.strictEqual(isVisible('b =', v), true);
      assert.strictEqual(isVisible('a = y || b =', v), true);
      assert.strictEqual(isVisible('a = x && b = z', v), false);
      assert.strictEqual(isVisible('c = anything', v), true);
    });
  });
});
