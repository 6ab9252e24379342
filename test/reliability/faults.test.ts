// Fault matrix (issue 9): every task that calls Azure, under 429 + Retry-After, 503, connection resets,
// slow replies and an access token that is already expired when it arrives mid-run. Each run must end
// Succeeded, or Failed with one clear line — never hang, never a stack trace only. Every fault is
// injected on a request the task really makes mid-run (the clean run's request log shows the path; the
// fault handle must have been hit), from the moment the emulator recorded a trigger request.
import * as assert from 'node:assert/strict';
import type { FaultHandle, FaultSpec, RecordedRequest } from '../emulator';
import type { TaskRun } from '../harness/run-task';
import { cleanupTemp, describeRequest, FIXTURES, HARNESSES, isToken, mapLimit, onRequest, oneLine, stackTraceLines, TASKS, type FaultTarget, type Fixture, type TaskName } from './helpers';

type Kind = 'throttle' | 'unavailable' | 'reset' | 'slow' | 'expireToken';
const KINDS: { kind: Kind; title: string; spec: Partial<FaultSpec> }[] = [
  { kind: 'throttle', title: '429 with Retry-After', spec: { times: 2, retryAfterSeconds: 1 } },
  { kind: 'unavailable', title: '503 with Retry-After', spec: { times: 2, retryAfterSeconds: 1 } },
  { kind: 'reset', title: 'connection reset', spec: { times: 2 } },
  { kind: 'slow', title: 'slow replies (1.5 s)', spec: { times: 2, delayMs: 1500 } },
  { kind: 'expireToken', title: 'access token expired mid-run', spec: { times: 1 } },
];

/** Where each task is hit (declared in its folder: tasks/<Task>/tests/harness.ts). */
const TARGETS: Record<TaskName, FaultTarget> = Object.fromEntries(TASKS.map((t) => [t, HARNESSES[t].faults]));

const TIMEOUT_MS = 45_000;
/** "Well within the timeout": a hang would hit TIMEOUT_MS; the slowest legitimate case is about 10 s. */
const WELL_WITHIN_MS = 30_000;

interface Outcome { run: TaskRun; handle: FaultHandle; requests: RecordedRequest[]; injectedAt: number }

describe('reliability: fault matrix (bundled tasks against the emulator)', function () {
  this.timeout(240_000);
  const fixtures = new Map<TaskName, Fixture>();
  const clean = new Map<TaskName, Outcome>();
  const results = new Map<string, Outcome>();

  before(async () => {
    // one test bed per task; the five matrices run side by side (each emulator has its own faults)
    const made = await Promise.all(TASKS.map((t) => FIXTURES[t]()));
    made.forEach((f) => fixtures.set(f.task, f));
    await mapLimit(TASKS, 5, async (task) => {
      const f = fixtures.get(task)!;
      const t = TARGETS[task];
      const runCase = async (kind: Kind | 'clean'): Promise<Outcome> => {
        f.reset();
        const mark = f.emulator.requests.length;
        const k = KINDS.find((x) => x.kind === kind);
        let handle: FaultHandle = { spec: { kind: 'throttle' }, hits: 0, remaining: 0 };
        let undo = (): void => undefined;
        let injectedAt = -1;
        if (k) {
          const spec: FaultSpec = k.kind === 'expireToken'
            ? { kind: 'expireToken', host: /^login\.localhost$/, path: /\/oauth2\/v2\.0\/token$/, ...k.spec }
            : { ...t.target, kind: k.kind, ...k.spec };
          // handle exists up front so the test can read hits; it only becomes active at the trigger
          handle = { spec, hits: 0, remaining: 0 };
          const inject = (): void => {
            injectedAt = f.emulator.requests.length - mark;
            handle = f.emulator.faults.inject(spec);
          };
          // the expired token: mid-run after the declared trigger, else (a task that takes one token, first thing)
          // from the start, so that one token arrives expired; the clean run's token count is checked below
          const trigger = k.kind === 'expireToken' ? t.tokenAfter : t.after;
          if (trigger) undo = onRequest(f.emulator, trigger, inject);
          else inject();
        }
        try {
          const run = await f.run(f.inputs(), { timeoutMs: TIMEOUT_MS });
          return { run, handle, requests: f.emulator.requests.slice(mark), injectedAt };
        } finally {
          undo();
          f.reset();
        }
      };
      clean.set(task, await runCase('clean'));
      for (const k of KINDS) results.set(`${task}/${k.kind}`, await runCase(k.kind));
    });
  });

  after(async () => {
    if (process.env.RELIABILITY_VERBOSE) {
      for (const [k, o] of [...[...clean.entries()].map(([t, c]): [string, Outcome] => [`${t}/clean`, c]), ...results.entries()]) {
        console.log(`    ${k.padEnd(28)} ${String(o.run.result).padEnd(10)} ${String(o.run.durationMs).padStart(6)} ms  hits=${o.handle.hits}  ${o.run.result === 'Failed' ? o.run.message : ''}`);
      }
    }
    await Promise.all([...fixtures.values()].map((f) => f.stop()));
    cleanupTemp();
  });

  for (const task of TASKS) {
    describe(task, () => {
      it(`clean run succeeds and calls the fault target mid-run: ${TARGETS[task].what}`, () => {
        const o = clean.get(task)!;
        assert.equal(o.run.result, 'Succeeded', `${o.run.message}\n${o.run.stdout.slice(-2000)}`);
        const t = TARGETS[task].target;
        const hits = o.requests.filter((r) => t.host!.test(r.host) && r.method === t.method && t.path.test(r.path));
        assert.ok(hits.length > 0, `no request on the target path in the clean run:\n${o.requests.map(describeRequest).join('\n')}`);
        const triggerAt = o.requests.findIndex(TARGETS[task].after);
        assert.ok(triggerAt >= 0 && o.requests.slice(triggerAt + 1).some((r) => t.host!.test(r.host) && t.path.test(r.path)), 'the target is called after the trigger');
      });
      it(TARGETS[task].tokenAfter ? 'clean run takes a token after the declared token trigger' : 'clean run takes one token only (so the matrix hands it out expired from the start)', () => {
        const o = clean.get(task)!;
        const tokens = o.requests.map((r, i) => (isToken(r) && r.status === 200 ? i : -1)).filter((i) => i >= 0);
        const tokenAfter = TARGETS[task].tokenAfter;
        if (tokenAfter) {
          const triggerAt = o.requests.findIndex(tokenAfter);
          assert.ok(triggerAt >= 0 && tokens.some((i) => i > triggerAt), `no token request after the token trigger:\n${o.requests.map(describeRequest).join('\n')}`);
        } else {
          assert.equal(tokens.length, 1, `the task takes ${tokens.length} tokens: declare tokenAfter (the request after which a mid-run token is taken) in tasks/${task}/tests/harness.ts\n${o.requests.map(describeRequest).join('\n')}`);
        }
      });
      for (const k of KINDS) {
        const title = k.kind === 'expireToken' && !TARGETS[task].tokenAfter ? "access token expired when issued (the task's one token, from the start)" : k.title;
        it(title, () => {
          const o = results.get(`${task}/${k.kind}`)!;
          const { run, handle } = o;
          const log = `${run.result}: ${run.message}\n${o.requests.map(describeRequest).join('\n')}\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-1500)}`;
          assert.ok(handle.hits > 0, `the fault was never hit (a matrix case that cannot fail)\n${log}`);
          assert.equal(run.timedOut, false, `hung: killed after ${TIMEOUT_MS} ms\n${log}`);
          assert.ok(run.durationMs < WELL_WITHIN_MS, `took ${run.durationMs} ms\n${log}`);
          assert.ok(run.result === 'Succeeded' || run.result === 'Failed', `result ${run.result}\n${log}`);
          if (run.result === 'Failed') {
            assert.ok(oneLine(run.message), `not one clear line: ${JSON.stringify(run.message)}`);
            assert.ok((run.message ?? '').length < 600, `message too long: ${run.message}`);
          }
          assert.deepEqual(stackTraceLines(run), [], 'a stack trace outside the debug lines');
          if (k.kind === 'expireToken') {
            // the expired token was really presented (and refused) somewhere after it was issued
            const after = o.requests.slice(o.injectedAt);
            const issued = after.findIndex((r) => r.host === 'login.localhost' && /\/token$/.test(r.path) && r.status === 200);
            assert.ok(issued >= 0 && after.slice(issued + 1).some((r) => r.status === 401), `no 401 for the expired token\n${log}`);
          } else {
            // a transient fault on a read is retried: the task completes
            assert.equal(run.result, 'Succeeded', log);
          }
        });
      }
    });
  }
});
