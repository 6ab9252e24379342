import './helpers';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import * as sinon from 'sinon';
import * as tl from 'azure-pipelines-task-lib/task';
import { TaskError } from '../src/errors';
import { InputError } from '../src/inputs';
import { failureMessage, runTask } from '../src/runner';
import { captureStdout, tmpDir } from './helpers';

describe('runner', () => {
  const sb = sinon.createSandbox();
  afterEach(() => sb.restore());

  it('sets Succeeded after main', async () => {
    const { out } = await captureStdout(() => runTask(async () => undefined));
    assert.match(out, /##vso\[task\.complete result=Succeeded;\]/);
  });

  it('does not overwrite a result main set itself', async () => {
    const { out } = await captureStdout(() => runTask(async () => tl.setResult(tl.TaskResult.SucceededWithIssues, 'partly')));
    assert.equal((out.match(/task\.complete/g) ?? []).length, 1);
    assert.match(out, /result=SucceededWithIssues/);
  });

  it('InputError and TaskError fail with their message as one line', async () => {
    const a = await captureStdout(() => runTask(async () => {
      throw new InputError('workspaceName', "'my ws' is not a valid Azure ML name", "1-255 letters");
    }));
    assert.match(a.out, /##vso\[task\.complete result=Failed;\]Input 'workspaceName': 'my ws' is not a valid Azure ML name\. Expected 1-255 letters\./);
    const b = await captureStdout(() => runTask(async () => {
      throw new TaskError('Expected failure.');
    }));
    assert.match(b.out, /result=Failed;\]Expected failure\./);
  });

  it('other errors are described (Azure code, status, hint), never only a stack trace', async () => {
    const request = createPipelineRequest({ url: 'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/cg?api-version=1' });
    const err = new RestError('x', { statusCode: 409, request, response: { status: 409, headers: createHttpHeaders(), request, bodyAsText: JSON.stringify({ error: { code: 'Conflict', message: 'Busy.' } }) } });
    const { out } = await captureStdout(() => runTask(async () => {
      throw err;
    }));
    assert.match(out, /result=Failed;\]Request for \/subscriptions\/s\/resourceGroups\/rg\/providers\/Microsoft\.ContainerInstance\/containerGroups\/cg failed: Conflict \(409\): Busy\. Hint:/);
    assert.equal(failureMessage(new Error('plain')), 'Azure request failed: plain.');
  });

  it('sets the resource path when task.json sits next to the bundle', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'task.json'), JSON.stringify({ messages: {} }));
    const setPath = sb.stub(tl, 'setResourcePath');
    await captureStdout(() => runTask(async () => undefined, { dirname: dir }));
    assert.ok(setPath.calledOnceWith(path.join(dir, 'task.json')));
    sb.resetHistory();
    await captureStdout(() => runTask(async () => undefined, { dirname: tmpDir() }));
    assert.ok(setPath.notCalled);
  });
});
