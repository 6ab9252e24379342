import './helpers';
import * as assert from 'node:assert/strict';
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { beginOperation, followOperation, type SdkPoller } from '../src/armOperation';
import { AzureCallError, CancelledError, TaskError, TimeoutError } from '../src/errors';
import type { Clock } from '../src/waiter';

const NAMES = { action: 'Creating', resource: "container group 'cg' in resource group 'rg'", pollAction: 'Polling the deployment of', pollResource: "container group 'cg'" };

function restError(status: number): RestError {
  const request = createPipelineRequest({ url: 'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/cg?api-version=1' });
  return new RestError('x', { statusCode: status, request, response: { status, headers: createHttpHeaders(), request, bodyAsText: JSON.stringify({ error: { code: 'Code', message: 'Message.' } }) } });
}

/** A poller whose states are played back one per poll (the last one stays). */
function poller(states: { status: string; error?: Error }[], o: { pollError?: unknown } = {}): SdkPoller & { polls: number } {
  let i = 0;
  const p = {
    polls: 0,
    async poll(): Promise<void> {
      p.polls++;
      i = Math.min(i + 1, states.length - 1);
      if (o.pollError) throw o.pollError;
    },
    isDone: () => ['succeeded', 'failed', 'canceled'].includes(states[i].status),
    getOperationState: () => states[i],
  };
  return p;
}

function clock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return { slept, now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)) };
}

describe('armOperation (an SDK poller followed with the waiter)', () => {
  it('polls until the operation succeeds, with our back-off', async () => {
    const p = poller([{ status: 'notStarted' }, { status: 'running' }, { status: 'running' }, { status: 'succeeded' }]);
    const c = clock();
    const op = await beginOperation(async () => p, NAMES);
    await followOperation(op, { what: "container group 'cg'", timeoutMs: 60_000, initialDelayMs: 1000, clock: c });
    assert.equal(p.polls, 3);
    assert.deepEqual(c.slept, [1000, 1500]);
  });

  it('a rejected request is an AzureCallError with the action, resource and status', async () => {
    await assert.rejects(beginOperation(async () => {
      throw restError(409);
    }, NAMES), (e: unknown) => e instanceof AzureCallError && e.statusCode === 409 && /^Creating container group 'cg' in resource group 'rg' failed: Code \(409\)/.test(e.message));
  });

  it("an operation the SDK's first poll saw fail is reported as failed with Azure's reason", async () => {
    const op = await beginOperation(async () => {
      throw new Error('The long-running operation has failed. InvalidImage. The image cannot be pulled.');
    }, NAMES);
    assert.deepEqual(await op.poll(), { status: 'failed', error: 'InvalidImage. The image cannot be pulled.' });
    await assert.rejects(followOperation(op, { what: "container group 'cg'", timeoutMs: 60_000, clock: clock() }), (e: unknown) => e instanceof TaskError && e.message === "container group 'cg' failed in Azure: InvalidImage. The image cannot be pulled.");
  });

  it('failed and canceled operations end the wait (default check); the check sees the status and the reason', async () => {
    const failedOp = await beginOperation(async () => poller([{ status: 'running' }, { status: 'failed', error: new Error('The long-running operation has failed. Quota exceeded.') }]), NAMES);
    const seen: string[] = [];
    await assert.rejects(followOperation(failedOp, {
      what: 'x', timeoutMs: 60_000, clock: clock(),
      check: async (p) => {
        seen.push(`${p.status}${p.error ? `: ${p.error}` : ''}`);
        if (p.status === 'failed') throw new TaskError(`stopped: ${p.error}`);
        return { done: false, state: p.status };
      },
    }), /stopped: Quota exceeded\./);
    assert.deepEqual(seen, ['failed: Quota exceeded.']);
    const canceled = await beginOperation(async () => poller([{ status: 'running' }, { status: 'canceled' }]), NAMES);
    await assert.rejects(followOperation(canceled, { what: "container group 'cg'", timeoutMs: 60_000, clock: clock() }), /container group 'cg' was canceled in Azure\./);
  });

  it('a poll that Azure answers with an error fails naming the poll', async () => {
    const op = await beginOperation(async () => poller([{ status: 'running' }], { pollError: restError(403) }), NAMES);
    await assert.rejects(op.poll(), (e: unknown) => e instanceof AzureCallError && /^Polling the deployment of container group 'cg' failed: Code \(403\)/.test(e.message));
  });

  it('times out naming the input, and stops on cancellation', async () => {
    const running = async (): Promise<SdkPoller> => poller([{ status: 'running' }]);
    await assert.rejects(followOperation(await beginOperation(running, NAMES), { what: 'x', timeoutMs: 5000, timeoutInput: 'readinessTimeoutMinutes', clock: clock() }),
      (e: unknown) => e instanceof TimeoutError && /Raise the input 'readinessTimeoutMinutes'/.test(e.message));
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(followOperation(await beginOperation(running, NAMES), { what: 'x', timeoutMs: 5000, clock: clock(), abortSignal: abort.signal }), CancelledError);
  });

  it("returns the operation's result by default, and sends the state lines where it is told", async () => {
    const run = { runId: 'ca1' };
    const p = poller([{ status: 'notStarted' }, { status: 'running' }, { status: 'succeeded', result: run } as { status: string }]);
    const lines: string[] = [];
    const got = await followOperation<{ runId: string }>(await beginOperation(async () => p as SdkPoller<{ runId: string }>, NAMES), { what: 'Scheduling', timeoutMs: 60_000, clock: clock(), log: (l) => lines.push(l) });
    assert.deepEqual(got, run);
    assert.deepEqual(lines.map((l) => l.replace(/ \(elapsed .*\)$/, '')), ['Scheduling: running', 'Scheduling: succeeded']);
  });

  it('follows a core-lro 1 poller (isCompleted / isCancelled / error, as @azure/arm-machinelearning has)', async () => {
    const v1 = (states: { isCompleted?: boolean; isCancelled?: boolean; error?: Error }[]): SdkPoller => {
      let i = 0;
      return {
        poll: async () => void (i = Math.min(i + 1, states.length - 1)),
        isDone: () => !!states[i].isCompleted,
        getOperationState: () => states[i],
      };
    };
    const done = await beginOperation(async () => v1([{ isCompleted: false }, { isCompleted: true }]), NAMES);
    await followOperation(done, { what: 'Cancelling job', timeoutMs: 60_000, clock: clock(), log: () => undefined });
    const failedOp = await beginOperation(async () => v1([{}, { isCompleted: true, error: new Error('The long-running operation has failed. Conflict. Job is finished.') }]), NAMES);
    await assert.rejects(followOperation(failedOp, { what: 'Cancelling job', timeoutMs: 60_000, clock: clock(), log: () => undefined }), /^TaskError: Cancelling job failed in Azure: Conflict\. Job is finished\.$/);
    const cancelled = await beginOperation(async () => v1([{}, { isCompleted: true, isCancelled: true }]), NAMES);
    assert.deepEqual(await cancelled.poll(), { status: 'canceled' });
  });
});
