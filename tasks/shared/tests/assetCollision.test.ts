// Asset version collisions: which Azure answers count as one, and how putAssetVersion decides after one.
import * as assert from 'node:assert/strict';
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { assetVersionCollision, putAssetVersion } from '../src/assetCollision';
import { AzureCallError, TaskError } from '../src/errors';

function restError(status: number, code: string, message: string): RestError {
  const request = createPipelineRequest({ url: 'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/models/m/versions/3?api-version=2022-10-01' });
  return new RestError(message, { statusCode: status, request, response: { status, headers: createHttpHeaders(), request, bodyAsText: JSON.stringify({ error: { code, message } }) } });
}

describe('assetCollision', () => {
  it('a 400 "Asset paths cannot be updated." is an existing version, a 409 a create in flight, other errors none', () => {
    assert.equal(assetVersionCollision(restError(400, 'UserError', 'Asset paths cannot be updated.')), 'versionExists');
    assert.equal(assetVersionCollision(new AzureCallError('Registering', 'x', restError(400, 'UserError', 'Asset paths cannot be updated.'))), 'versionExists');
    assert.equal(assetVersionCollision(restError(409, 'Conflict', 'being created')), 'createInFlight');
    assert.equal(assetVersionCollision(restError(400, 'UserError', "'properties.modelUri' is required.")), undefined);
    assert.equal(assetVersionCollision(restError(403, 'AuthorizationFailed', 'no')), undefined);
    assert.equal(assetVersionCollision(new Error('socket hang up')), undefined);
  });

  it('putAssetVersion: reuses what holds ours, names what does not, PUTs again when nothing is there, gives up after the attempts', async () => {
    const collide = (): Promise<string> => Promise.reject(restError(409, 'Conflict', 'busy'));
    assert.deepEqual(await putAssetVersion({ put: () => Promise.resolve('new'), read: () => Promise.resolve(undefined), holdsOurs: () => true, conflict: () => '' }), { value: 'new', reused: false });
    assert.deepEqual(await putAssetVersion({ put: collide, read: () => Promise.resolve('theirs'), holdsOurs: (v) => v === 'theirs', conflict: () => '' }), { value: 'theirs', reused: true });
    await assert.rejects(putAssetVersion({ put: collide, read: () => Promise.resolve('other'), holdsOurs: () => false, conflict: (v) => `taken by ${v}` }), (e: unknown) => e instanceof TaskError && e.message === 'taken by other');
    let puts = 0;
    const flaky = (): Promise<string> => (++puts === 1 ? collide() : Promise.resolve('second'));
    assert.deepEqual(await putAssetVersion({ put: flaky, read: () => Promise.resolve(undefined), holdsOurs: () => true, conflict: () => '' }), { value: 'second', reused: false });
    puts = 0;
    const always = (): Promise<string> => { puts++; return collide(); };
    await assert.rejects(putAssetVersion({ put: always, read: () => Promise.resolve(undefined), holdsOurs: () => true, conflict: () => '', attempts: 3 }), (e: unknown) => e instanceof RestError && e.statusCode === 409);
    assert.equal(puts, 3);
    await assert.rejects(putAssetVersion({ put: () => Promise.reject(restError(403, 'AuthorizationFailed', 'no')), read: () => Promise.resolve('x'), holdsOurs: () => true, conflict: () => '' }), (e: unknown) => e instanceof RestError && e.statusCode === 403);
  });
});
