import * as assert from 'assert';
import {
  defaultImageName, defaultImageTag, imageNameInput, imageTagInput, parseModelId, parseModelUri,
} from '../src/references';
import { parseImageReference } from '../../shared/src/imageReference';

describe('CreateImage references', () => {
  it('parses azureml:name:version and the ARM id form', () => {
    assert.deepStrictEqual(parseModelId('modelId', 'azureml:churn-model:3'), { name: 'churn-model', version: '3' });
    assert.deepStrictEqual(
      parseModelId('modelId', 'azureml:/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/models/m_1/versions/12'),
      { name: 'm_1', version: '12' },
    );
  });

  it('rejects model ids that are not one fixed version, naming the input', () => {
    assert.throws(() => parseModelId('modelId', 'azureml:m@latest'), /Input 'modelId'.*latest.*azureml:<name>:<version>/);
    assert.throws(() => parseModelId('modelId', 'churn:3'), /Input 'modelId': 'churn:3' is not a model id/);
    assert.throws(() => parseModelId('modelId', 'azureml:-bad:3'), /Input 'modelId': model name '-bad'/);
    assert.throws(() => parseModelId('modelId', 'azureml:m:'), /Input 'modelId'/);
  });

  it('parses the three kinds of model URI', () => {
    assert.deepStrictEqual(parseModelUri('azureml://datastores/workspaceblobstore/paths/LocalUpload/abc/model/'), { kind: 'datastore', datastore: 'workspaceblobstore', path: 'LocalUpload/abc/model' });
    assert.deepStrictEqual(
      parseModelUri('azureml://subscriptions/s/resourcegroups/rg/workspaces/w/datastores/ds2/paths/a/b.pkl'),
      { kind: 'datastore', datastore: 'ds2', path: 'a/b.pkl' },
    );
    assert.deepStrictEqual(parseModelUri('azureml://jobs/train-42/outputs/model'), { kind: 'jobOutput', job: 'train-42', output: 'model', path: '' });
    assert.deepStrictEqual(parseModelUri('azureml://jobs/j/outputs/artifacts/paths/model/'), { kind: 'jobOutput', job: 'j', output: 'artifacts', path: 'model' });
    assert.deepStrictEqual(parseModelUri('https://acct.blob.core.windows.net/cont/dir/m%20x.pkl'), {
      kind: 'blobUrl', url: 'https://acct.blob.core.windows.net/cont/dir/m%20x.pkl', accountHost: 'acct.blob.core.windows.net', container: 'cont', path: 'dir/m x.pkl',
    });
    assert.strictEqual(parseModelUri('http://acct.blob.core.windows.net/c/p'), undefined);
    assert.deepStrictEqual(parseModelUri('runs:/abc/model'), { kind: 'jobOutput', job: 'abc', output: 'artifacts', path: 'model' });
    assert.strictEqual(parseModelUri('runs:/abc/../x'), undefined);
  });


  it('validates imageName and imageTag with the rule in the message', () => {
    assert.strictEqual(imageNameInput('imageName', 'team/churn-model'), 'team/churn-model');
    assert.throws(() => imageNameInput('imageName', 'Churn'), /Input 'imageName': 'Churn' is not a valid image name\. Expected a repository path/);
    assert.throws(() => imageNameInput('imageName', 'churn:1'), /Input 'imageName': 'churn:1' includes a registry, tag or digest.*imageTag/);
    assert.throws(() => imageNameInput('imageName', 'myacr.azurecr.io/churn'), /includes a registry/);
    assert.throws(() => imageNameInput('imageName', 'a--'), /not a valid image name/);
    assert.strictEqual(imageTagInput('imageTag', '3-1234'), '3-1234');
    assert.throws(() => imageTagInput('imageTag', '-x'), /Input 'imageTag': '-x' is not a valid image tag/);
    assert.throws(() => imageTagInput('imageTag', 'a'.repeat(129)), /not a valid image tag/);
    assert.throws(() => imageTagInput('imageTag', 'a/b'), /not a valid image tag/);
  });

  it('derives default names and tags that satisfy the grammar', () => {
    assert.strictEqual(defaultImageName('Churn_Model--v2_'), 'churn_model-v2');
    assert.strictEqual(defaultImageName('__'), 'model');
    assert.strictEqual(defaultImageTag('3', '1234'), '3-1234');
    assert.strictEqual(defaultImageTag('3', undefined), '3');
    assert.strictEqual(defaultImageTag('.v1', '7'), 'v1-7');
    for (const n of ['A', 'a__b', 'x-y.z']) assert.ok(parseImageReference(defaultImageName(n)), n);
  });
});
