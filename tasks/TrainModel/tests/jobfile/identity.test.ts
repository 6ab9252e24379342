// A user_identity job file's x-azureml-token (src/jobFileIdentity.ts, after azure-ai-ml 1.4
// `_set_headers_with_user_aml_token`): the token is asked for the cloud's Azure ML resource, its audience is checked
// before it is sent, it is masked, and other identities send nothing. The wire comparison with the official client
// is in submitted.test.ts.
import * as assert from 'node:assert/strict';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { amlResourceId, userIdentityHeaders } from '../../src/jobFileIdentity';
import { captureStdout } from '../../../shared/tests/helpers';

const jwt = (claims: Record<string, unknown>): string =>
  ['{"alg":"none"}', JSON.stringify(claims), ''].map((p) => Buffer.from(p).toString('base64url')).join('.');

function credential(token: string | undefined): TokenCredential & { scopes: string[] } {
  const scopes: string[] = [];
  return {
    scopes,
    getToken: async (s: string | string[]): Promise<AccessToken | null> => {
      scopes.push(...[s].flat());
      return token === undefined ? null : { token, expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
}

const job = (identity?: Record<string, unknown>) => ({ properties: { jobType: 'Command', ...(identity ? { identity } : {}) } });
const PUBLIC = { name: 'AzureCloud' };

describe('jobfile: x-azureml-token for a user_identity job', () => {
  it('a UserIdentity job: a token for https://ml.azure.com/.default, sent as x-azureml-token and masked', async () => {
    const token = jwt({ aud: 'https://ml.azure.com', oid: 'u1' });
    const c = credential(token);
    const { result, out } = await captureStdout(() => userIdentityHeaders({ credential: c, cloud: PUBLIC }, job({ identityType: 'UserIdentity' })));
    assert.deepEqual(result, { 'x-azureml-token': token });
    assert.deepEqual(c.scopes, ['https://ml.azure.com/.default']);
    assert.ok(out.includes(`##vso[task.setsecret]${token}`), out);
  });

  it('other identities and none: no header and no token asked for', async () => {
    for (const identity of [undefined, { identityType: 'Managed', clientId: 'x' }, { identityType: 'AMLToken' }]) {
      const c = credential(jwt({ aud: 'https://ml.azure.com' }));
      assert.equal(await userIdentityHeaders({ credential: c, cloud: PUBLIC }, job(identity)), undefined);
      assert.deepEqual(c.scopes, []);
    }
  });

  it('the Azure ML resource of each named cloud (azure-ai-ml _azure_environments.py); others: the public one', () => {
    assert.equal(amlResourceId({ name: 'AzureChinaCloud' }), 'https://ml.azure.cn');
    assert.equal(amlResourceId({ name: 'AzureUSGovernment' }), 'https://ml.azure.us');
    assert.equal(amlResourceId({ name: 'AzureStack-x' }), 'https://ml.azure.com');
  });

  it('a token for another audience fails in one line, without the token in it', async () => {
    const token = jwt({ aud: 'https://management.azure.com/' });
    const { result } = await captureStdout(() => userIdentityHeaders({ credential: credential(token), cloud: PUBLIC }, job({ identityType: 'UserIdentity' })).then(() => undefined, (e: unknown) => e as Error));
    assert.ok(result instanceof Error);
    assert.match(result.message, /^The job file's identity is user_identity, but the service connection's token for https:\/\/ml\.azure\.com\/\.default is for audience 'https:\/\/management\.azure\.com\/', not 'https:\/\/ml\.azure\.com'/);
    assert.ok(!result.message.includes(token) && !/[\r\n]/.test(result.message));
  });

  it('no token at all fails in one line naming the scope', async () => {
    await assert.rejects(userIdentityHeaders({ credential: credential(undefined), cloud: PUBLIC }, job({ identityType: 'UserIdentity' })), /gave no token for https:\/\/ml\.azure\.com\/\.default/);
  });
});
