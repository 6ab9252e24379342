// The cross-task bad-input contract (issue 9): one table over every bundled task (its cases in its folder). Every case starts
// from the task's happy-path inputs, breaks one input, and must fail with ONE line that starts with
// `Input '<name>'`, with no write to Azure (ARM, Key Vault: emulator.armWrites(); no PUT/PATCH/DELETE on
// any emulator host) and no write to Azurite (every container's blob listing, etags included, is unchanged).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { TaskRun } from '../harness/run-task';
import type { BadInputCase, CaseFiles } from './fixture';
import {
  blobSnapshot, cleanupTemp, describeRequest, FIXTURES, HARNESSES, mapLimit, oneLine, stackTraceLines, TASKS, tempDir, writeFile, type Fixture, type TaskName,
} from './helpers';

interface Case extends BadInputCase {
  task: TaskName;
}

const work = tempDir('bad-inputs');
const files: CaseFiles = {
  file: (rel: string, content: string): string => writeFile(work, rel, content),
  missing: (name: string): string => path.join(work, 'does-not-exist', name),
};

// each task's cases come from its folder (tasks/<Task>/tests/harness.ts)
const CASES: Case[] = TASKS.flatMap((task) => HARNESSES[task].badInputs(files).map((c) => ({ ...c, task })));

interface Outcome { run: TaskRun; writes: string[]; blobsBefore: Record<string, string>; blobsAfter: Record<string, string>; scoringCalls: number }

describe('reliability: bad inputs fail with one line naming the input, and write nothing', function () {
  this.timeout(240_000);
  const fixtures = new Map<TaskName, Fixture>();
  const results = new Map<Case, Outcome>();

  before(async () => {
    const made = await Promise.all(TASKS.map((t) => FIXTURES[t]()));
    made.forEach((f) => fixtures.set(f.task, f));
    // tasks side by side (one bed each), cases of one task one after the other (exact request windows)
    await mapLimit(TASKS, 5, async (task) => {
      const f = fixtures.get(task)!;
      const server = (f as Fixture & { server?: { posts: number; livenessCalls: number } }).server;
      for (const c of CASES.filter((x) => x.task === task)) {
        const inputs = f.inputs();
        const blobsBefore = await blobSnapshot(f.bed);
        const mark = f.emulator.requests.length;
        const calls = server ? server.posts + server.livenessCalls : 0;
        const run = await f.run({ ...inputs, ...c.inputs(f) }, { timeoutMs: 30_000 });
        const requests = f.emulator.requests.slice(mark);
        const armWrites = f.emulator.armWrites().filter((r) => requests.includes(r));
        const writes = [...new Set([...armWrites, ...requests.filter((r) => ['PUT', 'PATCH', 'DELETE'].includes(r.method))])].map(describeRequest);
        const blobsAfter = await blobSnapshot(f.bed);
        results.set(c, { run, writes, blobsBefore, blobsAfter, scoringCalls: server ? server.posts + server.livenessCalls - calls : 0 });
      }
    });
  });

  after(async () => {
    await Promise.all([...fixtures.values()].map((f) => f.stop()));
    cleanupTemp();
  });

  it(`the table has at least 40 cases over all tasks (${CASES.length})`, () => {
    assert.ok(CASES.length >= 40);
    for (const t of TASKS) assert.ok(CASES.filter((c) => c.task === t).length >= 8, `${t} has fewer than 8 cases`);
  });

  for (const task of TASKS) {
    describe(task, () => {
      for (const c of CASES.filter((x) => x.task === task)) {
        it(`${c.title} → Input '${c.input}'`, () => {
          const o = results.get(c)!;
          const { run } = o;
          assert.equal(run.timedOut, false, 'hung');
          assert.equal(run.result, 'Failed', `${run.result}: ${run.message}\n${run.stdout.slice(-2000)}`);
          assert.ok(oneLine(run.message), `not one line: ${JSON.stringify(run.message)}`);
          assert.ok((run.message ?? '').startsWith(`Input '${c.input}'`), `does not name the input first: ${run.message}`);
          assert.deepEqual(stackTraceLines(run), [], 'a stack trace outside the debug lines');
          assert.deepEqual(o.writes, [], 'a write to Azure');
          assert.deepEqual(o.blobsAfter, o.blobsBefore, 'Azurite changed');
          assert.equal(o.scoringCalls, 0, 'the scoring endpoint was called');
          for (const v of ['pl4nted-key-both', 'pl4nted-header-value']) assert.ok(!run.stdout.split('\n').some((l) => !l.startsWith('##vso[') && l.includes(v)), `${v} echoed`);
        });
      }
    });
  }
});
