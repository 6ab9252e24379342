// Issue 15 item 1: every task declares `restrictions` in task.json. `settableVariables.allowed` is exactly
// the task's own output variables, so a `##vso[task.setvariable]` smuggled past the neutraliser (or set by
// a bug) cannot change another variable of the job. Commands stay unrestricted, on purpose: the agent's
// restricted mode (azure-pipelines-agent src/Agent.Worker/TaskCommandExtension.cs and
// TaskRestrictionsExtension.cs: only commands with [CommandRestriction(AllowedInRestrictedMode = true)])
// allows task.logdetail, logissue, complete, setprogress, setsecret, setvariable, debug, settaskvariable,
// prependpath and telemetry.publish — not task.uploadsummary, task.uploadfile, task.addattachment or
// results.publish, which the tasks use for their summaries, the histogram and test results.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { interpret, parseVsoCommands, settableVariables, type TaskRun } from '../harness/run-task';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const TASKS = fs.readdirSync(path.join(ROOT, 'tasks')).filter((t) => fs.existsSync(path.join(ROOT, 'tasks', t, 'task.json')));

interface TaskJson {
  outputVariables?: { name: string }[];
  restrictions?: { commands?: { mode?: string }; settableVariables?: { allowed?: string[] } };
}

describe('security: task.json restrictions', () => {
  it('finds the tasks', () => assert.ok(TASKS.length >= 6, TASKS.join(', ')));

  for (const task of TASKS) {
    it(`${task}: settableVariables.allowed is exactly its output variables; commands are not restricted (summaries need them)`, () => {
      const json = JSON.parse(fs.readFileSync(path.join(ROOT, 'tasks', task, 'task.json'), 'utf8')) as TaskJson;
      assert.ok(json.restrictions, 'task.json declares restrictions');
      const allowed = [...(json.restrictions.settableVariables?.allowed ?? [])].sort();
      const outputs = (json.outputVariables ?? []).map((o) => o.name).sort();
      assert.deepEqual(allowed, outputs);
      assert.notEqual(json.restrictions.commands?.mode, 'restricted', 'restricted mode would drop task.uploadsummary and task.addattachment');
    });
  }

  it('the harness applies the list as the agent does: a variable outside it is refused', () => {
    const dist = path.join(ROOT, 'dist', 'tasks', 'TrainModel', 'index.js');
    const allowed = settableVariables(dist);
    assert.ok(allowed, 'dist/tasks/TrainModel/task.json has the list (run node scripts/build.mjs)');
    const stdout = '##vso[task.setvariable variable=jobName;isOutput=true;]j1\n##vso[task.setvariable variable=System.AccessToken;]x\n';
    const run = { stdout, outputs: {}, variables: {}, refusedVariables: [], secrets: [], issues: [], summaries: [], summaryFiles: [], attachments: [], commands: parseVsoCommands(stdout) } as unknown as TaskRun;
    interpret(run, allowed);
    assert.deepEqual(run.outputs, { jobName: 'j1' });
    assert.deepEqual(run.refusedVariables, ['System.AccessToken']);
  });
});
