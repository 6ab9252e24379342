import * as assert from 'node:assert/strict';
import type { ArmPipeline, ArmResponse } from '../src/armPipeline';
import { beginRawOperation } from '../src/rawOperation';

/** A fake raw ARM pipeline: the first reply, then the status replies in order; records every request. */
function fakeArm(first: ArmResponse<unknown>, statuses: unknown[]): { arm: ArmPipeline; sent: string[] } {
  const sent: string[] = [];
  const arm = {
    response: async (method: string, url: string) => {
      sent.push(`${method} ${url}`);
      if (sent.length === 1) return first;
      const next = statuses.shift();
      return typeof next === 'number' ? { status: next, headers: {}, body: undefined } : { status: 200, headers: {}, body: next };
    },
    request: async () => undefined,
  } as unknown as ArmPipeline;
  return { arm, sent };
}

describe('beginRawOperation (raw ARM long-running operations)', () => {
  it('follows Azure-AsyncOperation: no read right after the write, then InProgress until Succeeded', async () => {
    const { arm, sent } = fakeArm({ status: 201, headers: { 'Azure-AsyncOperation': 'https://arm/op/1?api-version=x' }, body: {} }, [{ status: 'InProgress' }, { status: 'Succeeded' }]);
    const p = await beginRawOperation(arm, 'PUT', '/r', 'x', {});
    await p.poll();
    assert.deepEqual(sent, ['PUT /r'], 'the first poll sends nothing');
    assert.equal(p.isDone(), false);
    await p.poll();
    assert.equal(p.isDone(), false);
    await p.poll();
    assert.equal(p.isDone(), true);
    assert.equal(p.getOperationState().status, 'succeeded');
    assert.deepEqual(sent, ['PUT /r', 'GET https://arm/op/1?api-version=x', 'GET https://arm/op/1?api-version=x']);
  });
  it('a Failed status keeps Azure\'s code and message', async () => {
    const { arm } = fakeArm({ status: 201, headers: { 'azure-asyncoperation': 'https://arm/op/2' }, body: {} }, [{ status: 'Failed', error: { code: 'ResourceNotReady', message: 'User container has crashed.' } }]);
    const p = await beginRawOperation(arm, 'PUT', '/r', 'x', {});
    await p.poll();
    await p.poll();
    assert.deepEqual([p.getOperationState().status, p.getOperationState().error?.message], ['failed', 'ResourceNotReady. User container has crashed.']);
  });
  it('follows Location (202 while running) and treats a reply without either header as done', async () => {
    const loc = fakeArm({ status: 202, headers: { location: 'https://arm/res/3' }, body: undefined }, [202, 204]);
    const p = await beginRawOperation(loc.arm, 'DELETE', '/r', 'x');
    for (let i = 0; i < 3; i++) await p.poll();
    assert.equal(p.getOperationState().status, 'succeeded');
    assert.equal(loc.sent.length, 3);
    const sync = fakeArm({ status: 200, headers: {}, body: {} }, []);
    const q = await beginRawOperation(sync.arm, 'PUT', '/r', 'x', {});
    assert.equal(q.isDone(), true);
  });
});
