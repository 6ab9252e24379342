import './helpers';
import * as assert from 'node:assert/strict';
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { azureCall, AzureCallError, InputError, TaskError, toAzureCallError } from '../src/errors';

const URL = 'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws?api-version=1';

function restError(status: number, code: string, message: string): RestError {
  const request = createPipelineRequest({ url: URL });
  return new RestError('x', { statusCode: status, request, response: { status, headers: createHttpHeaders(), request, bodyAsText: JSON.stringify({ error: { code, message } }) } });
}

const fail = (err: unknown) => async (): Promise<never> => {
  throw err;
};

describe('azureCall', () => {
  it('returns the value of a request that succeeds', async () => {
    assert.equal(await azureCall('Reading', "workspace 'ws'", async () => 42), 42);
  });

  it('a failure becomes an AzureCallError: the described line, the status and the original error', async () => {
    const cause = restError(403, 'AuthorizationFailed', 'No access.');
    const err = await azureCall('Reading', "workspace 'ws'", fail(cause)).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof AzureCallError && err instanceof TaskError);
    assert.equal(err.statusCode, 403);
    assert.equal(err.cause, cause);
    assert.equal(err.action, 'Reading');
    assert.equal(err.resource, "workspace 'ws'");
    assert.match(err.message, /^Reading workspace 'ws' failed: AuthorizationFailed \(403\): No access\. Hint: the service connection's identity needs the 'AzureML Data Scientist' or 'Contributor' role on /);
  });

  it("notFound: 'undefined' resolves a 404 to undefined and still fails on any other status", async () => {
    assert.equal(await azureCall('Reading', 'x', fail(restError(404, 'ResourceNotFound', 'gone')), { notFound: 'undefined' }), undefined);
    await assert.rejects(azureCall('Reading', 'x', fail(restError(500, 'InternalServerError', 'boom')), { notFound: 'undefined' }), (e: unknown) => e instanceof AzureCallError && e.statusCode === 500);
    await assert.rejects(azureCall('Reading', 'x', fail(restError(404, 'ResourceNotFound', 'gone'))), (e: unknown) => e instanceof AzureCallError && e.statusCode === 404);
  });

  it('tolerate: more statuses that resolve to undefined', async () => {
    assert.equal(await azureCall('Reading', 'x', fail(restError(400, 'BadRequest', 'no secrets')), { tolerate: [400, 404] }), undefined);
    await assert.rejects(azureCall('Reading', 'x', fail(restError(403, 'Forbidden', 'no')), { tolerate: [400, 404] }), AzureCallError);
  });

  it('advice is appended to the message', async () => {
    const err = await azureCall('Reading', 'x', fail(restError(403, 'Forbidden', 'no')), { advice: 'Set appInsights to false to deploy without it.' }).then(() => undefined, (e: unknown) => e as Error);
    assert.match(err?.message ?? '', / Set appInsights to false to deploy without it\.$/);
  });

  it('our own errors and JavaScript errors (bugs) pass unchanged', async () => {
    const ours = new TaskError('Registry has no login server.');
    const input = new InputError('modelId', 'bad');
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    for (const e of [ours, input, bug]) {
      await assert.rejects(azureCall('Reading', 'x', fail(e), { notFound: 'undefined' }), (got: unknown) => got === e);
      assert.equal(toAzureCallError(e, 'Reading', 'x'), e);
    }
  });

  it('errors without a status (network, identity) are wrapped and described too', async () => {
    const network = Object.assign(new Error('getaddrinfo ENOTFOUND management.azure.com'), { code: 'ENOTFOUND' });
    const err = toAzureCallError(network, 'Reading', "workspace 'ws'");
    assert.ok(err instanceof AzureCallError);
    assert.equal(err.statusCode, undefined);
    assert.match(err.message, /^Reading workspace 'ws' failed: ENOTFOUND: .*Hint: the network call failed before Azure answered/);
  });
});
