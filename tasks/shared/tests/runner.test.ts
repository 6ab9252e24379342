import './helpers';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import * as sinon from 'sinon';
import * as tl from 'azure-pipelines-task-lib/task';
import { AzureCallError, TaskError } from '../src/errors';
import { failed, succeeded, succeededWithIssues } from '../src/outcome';
import { InputError } from '../src/inputs';
import { failureMessage, runTask } from '../src/runner';
import { captureStdout, tmpDir } from './helpers';

describe('runner', () => {
  const sb = sinon.createSandbox();
  afterEach(() => sb.restore());

  it('sets Succeeded after main', async () => {
    const { out } = await captureStdout(() => runTask(async () => succeeded()));
    assert.match(out, /##vso\[task\.complete result=Succeeded;\]/);
    assert.equal((out.match(/task\.complete/g) ?? []).length, 1);
  });

  it('sets the outcome main returns, exactly once', async () => {
    const issues = await captureStdout(() => runTask(async () => succeededWithIssues('partly')));
    assert.equal((issues.out.match(/task\.complete/g) ?? []).length, 1);
    assert.match(issues.out, /result=SucceededWithIssues;\]partly/);
    assert.match(issues.out, /##vso\[task\.issue type=warning[^\]]*\]partly/);
    const fail = await captureStdout(() => runTask(async () => failed('The job failed.')));
    assert.equal((fail.out.match(/task\.complete/g) ?? []).length, 1);
    assert.match(fail.out, /result=Failed;\]The job failed\./);
  });

  it('does not patch process.stdout.write', async () => {
    let outside: unknown;
    let inside: unknown;
    await captureStdout(() => {
      outside = process.stdout.write;
      return runTask(async () => {
        inside = process.stdout.write;
        return succeeded();
      });
    });
    assert.ok(outside !== undefined && inside === outside, 'main sees the same stdout.write as its caller');
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
  });

  it('an AzureCallError keeps its status and cause and is shown as its described line', async () => {
    const request = createPipelineRequest({ url: 'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws?api-version=1' });
    const cause = new RestError('x', { statusCode: 404, request, response: { status: 404, headers: createHttpHeaders(), request, bodyAsText: JSON.stringify({ error: { code: 'ResourceNotFound', message: 'Gone.' } }) } });
    const err = new AzureCallError('Reading', "workspace 'ws'", cause);
    assert.equal(err.statusCode, 404);
    assert.equal(err.cause, cause);
    assert.equal(failureMessage(err), "Reading workspace 'ws' failed: ResourceNotFound (404): Gone. Hint: workspace 'ws' was not found: check its name, the resource group and that the service connection's subscription is the right one.");
  });

  it('anything else is an unexpected error: one line, the stack only in the debug log', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'name')");
    const { out } = await captureStdout(() => runTask(async () => {
      throw bug;
    }));
    assert.match(out, /result=Failed;\]Unexpected error: Cannot read properties of undefined \(reading 'name'\)\. The stack is in the debug log/);
    assert.match(out, /##vso\[task\.debug\]TypeError: Cannot read properties/);
    assert.equal(failureMessage(new Error('plain')), 'Unexpected error: plain. The stack is in the debug log (run with system.debug=true).');
  });

  it('sets the resource path when task.json sits next to the bundle', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'task.json'), JSON.stringify({ messages: {} }));
    const setPath = sb.stub(tl, 'setResourcePath');
    await captureStdout(() => runTask(async () => succeeded(), { dirname: dir }));
    assert.ok(setPath.calledOnceWith(path.join(dir, 'task.json')));
    sb.resetHistory();
    await captureStdout(() => runTask(async () => succeeded(), { dirname: tmpDir() }));
    assert.ok(setPath.notCalled);
  });
});
