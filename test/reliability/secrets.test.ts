// Suite-wide secret scan (issue 9): each task's happy path under each secret-bearing connection scheme
// (client secret, certificate PEM, workload identity federation with the pipeline's System.AccessToken),
// with every other planted secret in play (Key Vault values, the scoring key, the registry password,
// the datastore's storage account key, SAS signatures, registry tokens). stdout, stderr, summaries and
// every file under the run's agent directories are scanned; zero hits.
//
// Strictness: every run has System.Debug=true (task-lib's debug lines on), and the scan works as if the
// agent's masking were OFF (issue 15): every planted secret — what the task obtains (Key Vault values,
// keys, passwords, tokens, SAS), the connection's key, certificate and System.AccessToken, the secret
// pipeline variables — is searched in the raw stdout/stderr, summaries and files; zero hits. Only the
// agent-consumed `task.setsecret` / secret `task.setvariable` lines are skipped (the agent never logs them).
// The connection's values are no longer echoed by task-lib's endpoint readers (agentSecrets.ts).
import * as assert from 'node:assert/strict';
import { assertNoSecretsLeaked, type ServiceConnectionEnv, type TaskRun } from '../harness/run-task';
import { startTestBed, type TestBed } from '../harness/testbed';
import { cleanupTemp, FIXTURES, HARNESSES, SCHEMES, TASKS, type Fixture, type TaskName } from './helpers';

/** SAS signatures (and whole SAS URLs) among the values a run registered as secrets. */
function sasSignatures(run: TaskRun): string[] {
  const out: string[] = [];
  for (const s of run.secrets) {
    for (const m of s.matchAll(/[?&]sig=([^&\s]+)/g)) out.push(m[1], decodeURIComponent(m[1]));
  }
  return out;
}

/** System.Debug on: task-lib prints its debug lines (the ones that used to echo the connection's key). */
const DEBUG = { 'System.Debug': 'true' };

interface Case { task: TaskName; title: string; scheme: (typeof SCHEMES)[number]; inputs: (f: Fixture, c: ServiceConnectionEnv) => Record<string, string>; setup?: (f: Fixture) => void }

const CASES: Case[] = [];
for (const task of TASKS) {
  for (const scheme of SCHEMES) CASES.push({ task, title: `happy path, ${scheme} connection`, scheme, inputs: (f, c) => f.inputs({ connection: c }) });
}
// the secrets only some paths touch (a failed training job's log SAS, a local model upload's account key): declared by each task
for (const task of TASKS) for (const c of HARNESSES[task].secretCases ?? []) CASES.push({ ...c, task });

describe('reliability: no secret leaks from any task (stdout, stderr, summaries, files)', function () {
  this.timeout(240_000);
  let bed: TestBed;
  const fixtures = new Map<TaskName, Fixture>();
  const runs = new Map<Case, TaskRun>();

  before(async () => {
    bed = await startTestBed();
    for (const t of TASKS) fixtures.set(t, await FIXTURES[t](bed));
    // tasks side by side on one bed; the cases of one task one after the other
    await Promise.all(TASKS.map(async (task) => {
      const f = fixtures.get(task)!;
      for (const c of CASES.filter((x) => x.task === task)) {
        f.reset();
        c.setup?.(f);
        const conn = f.connections[c.scheme];
        runs.set(c, await f.run(c.inputs(f, conn), { connection: conn, timeoutMs: 60_000, variables: DEBUG }));
        f.reset();
      }
    }));
  });

  after(async () => {
    for (const f of fixtures.values()) await f.stop();
    await bed?.stop();
    cleanupTemp();
  });

  for (const c of CASES) {
    it(`${c.task}: ${c.title}`, () => {
      const f = fixtures.get(c.task)!;
      const run = runs.get(c)!;
      const conn = f.connections[c.scheme];
      const expected = c.title.startsWith('failed job') ? 'Failed' : 'Succeeded';
      assert.equal(run.result, expected, `${run.message}\n${run.stdout.slice(-2000)}`);
      // what the task obtained or derived: strict everywhere
      const obtained = [
        ...f.plantedSecrets(),
        ...run.secrets.filter((s) => !conn.secrets.includes(s)),
        ...sasSignatures(run),
        ...Object.entries(run.outputs).filter(([k]) => /key|password|secret/i.test(k)).map(([, v]) => v),
      ];
      assert.match(run.stdout, /##vso\[task\.debug\]/, 'debug lines are on');
      // the agent's masking off (strict): raw output, every planted secret, the connection's and the pipeline's included
      assertNoSecretsLeaked(run, [...obtained, ...conn.secrets, ...Object.values(f.secretVariables), ...run.agentMaskedSecrets], { strict: true });
      assert.ok(!run.stdout.includes(' auth param '), "task-lib's endpoint echo is gone");
    });
  }

  it('planted the secrets this suite claims to scan for', () => {
    const all = CASES.map((c) => runs.get(c)!);
    assert.ok(all.some((r) => sasSignatures(r).length > 0), 'no run saw a SAS signature');
    assert.ok(all.some((r) => r.outputs.scoringKey), 'no scoring key was made');
    const deploy = fixtures.get('DeployToACI') as Fixture & { registryPassword: string; apiKey: string };
    assert.ok(deploy.plantedSecrets().includes(deploy.registryPassword) && deploy.plantedSecrets().includes(deploy.apiKey));
    for (const s of SCHEMES) assert.ok(fixtures.get('TrainModel')!.connections[s].secrets.length > 0, `${s} carries no secret`);
  });
});
