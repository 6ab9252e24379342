// Job output references and datastore URIs as azure-ai-ml names them (constants/_common.py regexes).
import * as assert from 'node:assert/strict';
import { isArtifactStoreOutput, jobOutputUri, parseJobOutputUri } from '../src/jobOutputs';
import { parseDatastoreUri } from '../src/workspace';

describe('jobOutputs', () => {
  it('parses azureml://jobs/<job>/outputs/<o>[/paths/<p>] and runs:/<job>/<p> (= output artifacts)', () => {
    assert.deepEqual(parseJobOutputUri('azureml://jobs/j1/outputs/model'), { job: 'j1', output: 'model', path: '' });
    assert.deepEqual(parseJobOutputUri('azureml://jobs/j1/outputs/artifacts/paths/model/'), { job: 'j1', output: 'artifacts', path: 'model' });
    assert.deepEqual(parseJobOutputUri('runs:/j1/outputs/model'), { job: 'j1', output: 'artifacts', path: 'outputs/model' });
    for (const bad of ['runs:/j1', 'runs:/j1/../x', 'azureml://jobs/j1/outputs/o/paths/a/../../b', 'azureml://datastores/d/paths/p', 'https://x/y']) assert.equal(parseJobOutputUri(bad), undefined, bad);
    assert.equal(jobOutputUri({ job: 'j1', output: 'artifacts', path: 'model' }), 'azureml://jobs/j1/outputs/artifacts/paths/model');
    assert.ok(isArtifactStoreOutput('artifacts') && isArtifactStoreOutput('default') && !isArtifactStoreOutput('model'));
  });

  it('parses datastore URIs, including the default output form without paths/', () => {
    assert.deepEqual(parseDatastoreUri('azureml://datastores/workspaceartifactstore/ExperimentRun/dcid.j1'), { datastore: 'workspaceartifactstore', path: 'ExperimentRun/dcid.j1' });
    assert.deepEqual(parseDatastoreUri('azureml://datastores/ds/paths/a/b/'), { datastore: 'ds', path: 'a/b' });
    assert.deepEqual(parseDatastoreUri('azureml://subscriptions/s/resourcegroups/rg/workspaces/w/datastores/ds/paths/a%20b'), { datastore: 'ds', path: 'a b' });
    assert.equal(parseDatastoreUri('azureml://datastores/ds/other/x'), undefined);
    assert.equal(parseDatastoreUri('https://a.blob.core.windows.net/c/p'), undefined);
  });
});
