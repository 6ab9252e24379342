// Unit tests of scheduling without starting a build twice (src/scheduleRun.ts) and of the base images in the reuse
// key (src/baseImages.ts). The registry is a recording fake; the bundle against the emulator (a reply lost after
// the run was created, a moved base tag) is in integration.test.ts.
import * as assert from 'node:assert/strict';
import type { Run } from '@azure/arm-containerregistry';
import { RestError } from '@azure/core-rest-pipeline';
import type { ContextWith } from '../../shared/src/azure';
import { baseImageKey, fromReferences, resolveBaseImages } from '../src/baseImages';
import { contextTag } from '../src/image';
import { classifyFailure, scheduleBuild, SCHEDULE_ATTEMPTS, type ScheduleDeps } from '../src/scheduleRun';
import type { RegistryInfo } from '../src/targetRegistry';
import type { BuildContext } from '../src/buildContext';

const REGISTRY = { name: 'mlacr', resourceGroup: 'rg-ml', loginServer: 'mlacr.azurecr.io' } as RegistryInfo;

/** A registry whose run list is `runs` (newest first) and whose scheduleRun answers with `answers` in turn. */
function fakeRegistry(runs: Run[], answers: (Run | { fail: { status?: number; code?: string } })[]): { ctx: ContextWith<'acr'>; deps: ScheduleDeps; sent: number[]; slept: number[] } {
  const sent: number[] = [];
  const slept: number[] = [];
  const ctx = {
    clients: {
      acr: {
        runs: {
          list: async function* () {
            for (const r of runs) yield r;
          },
        },
      },
    },
  } as unknown as ContextWith<'acr'>;
  const deps = {
    client: {
      registries: {
        beginScheduleRun: async () => {
          sent.push(sent.length + 1);
          const a = answers.shift();
          if (!a || 'fail' in a) {
            const e = a?.fail;
            throw new RestError('no reply', { statusCode: e?.status, code: e?.code ?? 'ECONNRESET' });
          }
          return { isDone: () => true, poll: async () => undefined, getOperationState: () => ({ status: 'succeeded', result: a }) };
        },
      },
    },
    sleep: async (ms: number) => void slept.push(ms),
  } as unknown as ScheduleDeps;
  return { ctx, deps, sent, slept };
}

const run = (id: string): Run => ({ runId: id, name: id, status: 'Queued' });

describe('CreateImage scheduling a build', () => {
  it('takes the run the lost request started (the one run that appeared since the snapshot); sends once', async () => {
    const f = fakeRegistry([run('c3'), run('c2'), run('c1')], [{ fail: { code: 'ECONNRESET' } }]);
    const s = await scheduleBuild(f.ctx, REGISTRY, { type: 'DockerBuildRequest', dockerFilePath: 'Dockerfile', platform: { os: 'Linux' } }, { known: new Set(['c1', 'c2']), timeoutMs: 60_000, deps: f.deps });
    assert.deepEqual([s.run.runId, s.adopted, f.sent.length], ['c3', true, 1]);
  });

  it('sends again when no run appeared, and when several did (another build could be taken for this one)', async () => {
    const none = fakeRegistry([run('c1')], [{ fail: { status: 502 } }, run('c9')]);
    const a = await scheduleBuild(none.ctx, REGISTRY, { type: 'DockerBuildRequest', dockerFilePath: 'Dockerfile', platform: { os: 'Linux' } }, { known: new Set(['c1']), timeoutMs: 60_000, deps: none.deps });
    assert.deepEqual([a.run.runId, a.adopted, none.sent.length, none.slept.length], ['c9', false, 2, 1]);
    const several = fakeRegistry([run('c5'), run('c4'), run('c1')], [{ fail: { code: 'ECONNRESET' } }, run('c6')]);
    const b = await scheduleBuild(several.ctx, REGISTRY, { type: 'DockerBuildRequest', dockerFilePath: 'Dockerfile', platform: { os: 'Linux' } }, { known: new Set(['c1']), timeoutMs: 60_000, deps: several.deps });
    assert.deepEqual([b.run.runId, b.adopted, several.sent.length], ['c6', false, 2]);
  });

  it('never adopts with adopt: false; gives up after the last attempt; a 4xx refusal is not retried', async () => {
    const f = fakeRegistry([run('c3'), run('c1')], [{ fail: { code: 'ECONNRESET' } }, run('c7')]);
    const s = await scheduleBuild(f.ctx, REGISTRY, { type: 'DockerBuildRequest', dockerFilePath: 'Dockerfile', platform: { os: 'Linux' } }, { known: new Set(['c1']), timeoutMs: 60_000, adopt: false, deps: f.deps });
    assert.deepEqual([s.run.runId, s.adopted], ['c7', false]);
    const down = fakeRegistry([], Array.from({ length: SCHEDULE_ATTEMPTS }, () => ({ fail: { status: 500 } })));
    await assert.rejects(scheduleBuild(down.ctx, REGISTRY, { type: 'DockerBuildRequest', dockerFilePath: 'Dockerfile', platform: { os: 'Linux' } }, { known: new Set(), timeoutMs: 60_000, deps: down.deps }), /Scheduling a build in registry 'mlacr' failed/);
    assert.equal(down.sent.length, SCHEDULE_ATTEMPTS);
    const refused = fakeRegistry([], [{ fail: { status: 400, code: 'InvalidParameter' } }]);
    await assert.rejects(scheduleBuild(refused.ctx, REGISTRY, { type: 'DockerBuildRequest', dockerFilePath: 'Dockerfile', platform: { os: 'Linux' } }, { known: new Set(), timeoutMs: 60_000, deps: refused.deps }));
    assert.equal(refused.sent.length, 1);
  });

  it('classifies failures: 429 resend, unclear (no status, 408, 5xx) look first, other 4xx fail', async () => {
    const { AzureCallError } = await import('../../shared/src/errors');
    const e = (status?: number): unknown => new AzureCallError('Scheduling a build in', "registry 'mlacr'", new RestError('x', { statusCode: status }));
    assert.deepEqual([e(429), e(undefined), e(408), e(500), e(503), e(400), e(403), new Error('bug')].map(classifyFailure), ['resend', 'look', 'look', 'look', 'look', 'fail', 'fail', 'fail']);
  });
});

describe('CreateImage base images in the reuse key', () => {
  it('reads every FROM: ARG defaults before the first FROM, --platform, stages and scratch', () => {
    const df = ['ARG BASE=mlacr.azurecr.io/base:1', 'ARG PY="3.11"', 'FROM --platform=linux/amd64 ${BASE} AS build', 'RUN make', 'FROM python:$PY-slim', 'COPY --from=build /out /app', 'FROM build', 'FROM scratch', 'FROM \\', '  mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference@sha256:' + 'a'.repeat(64)].join('\n');
    assert.deepEqual(fromReferences(df), ['mlacr.azurecr.io/base:1', 'python:3.11-slim', `mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference@sha256:${'a'.repeat(64)}`]);
  });

  it('resolves only images of the target registry; a pinned one is its digest; others are hashed as written', async () => {
    const asked: string[] = [];
    const bases = await resolveBaseImages(`FROM mlacr.azurecr.io/base\nFROM otheracr.azurecr.io/x:1\nFROM python@sha256:${'b'.repeat(64)}\nFROM mlacr.azurecr.io/gone:2\n`, 'MLACR.azurecr.io', async (repo, ref) => {
      asked.push(`${repo}:${ref}`);
      return repo === 'base' ? `sha256:${'c'.repeat(64)}` : undefined;
    });
    assert.deepEqual(asked, ['base:latest', 'gone:2'], 'never a foreign registry');
    assert.deepEqual(bases.map((b) => [b.kind, b.digest]), [['resolved', `sha256:${'c'.repeat(64)}`], ['asWritten', undefined], ['pinned', `sha256:${'b'.repeat(64)}`], ['resolved', undefined]]);
  });

  it('the context tag changes with the base digest and stays the files hash alone without a base', () => {
    const ctx = { hash: 'f'.repeat(64) } as BuildContext;
    assert.equal(contextTag(ctx), `ctx-${'f'.repeat(12)}`);
    const a = contextTag(ctx, [{ reference: 'mlacr.azurecr.io/base:1', kind: 'resolved', digest: `sha256:${'1'.repeat(64)}` }]);
    const b = contextTag(ctx, [{ reference: 'mlacr.azurecr.io/base:1', kind: 'resolved', digest: `sha256:${'2'.repeat(64)}` }]);
    assert.match(a, /^ctx-[0-9a-f]{12}$/);
    assert.notEqual(a, b);
    assert.equal(baseImageKey([{ reference: 'python:3.11', kind: 'asWritten' }]), 'FROM python:3.11\n');
  });
});
