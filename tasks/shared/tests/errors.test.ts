import './helpers';
import * as assert from 'node:assert/strict';
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { azureErrorInfo, describeAzureError, likelyRole, redact, resourceIdFromUrl, statusOf, TaskError } from '../src/errors';

const WS = '/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws1';

function restError(status: number, body: unknown, url = `https://management.azure.com${WS}/jobs/j1?api-version=2022-10-01`, message = 'x'): RestError {
  const request = createPipelineRequest({ url });
  const e = new RestError(message, {
    statusCode: status,
    request,
    response: { status, headers: createHttpHeaders(), request, bodyAsText: typeof body === 'string' ? body : JSON.stringify(body) },
  });
  return e;
}

describe('errors', () => {
  it('TaskError is an Error with its message as-is', () => {
    const e = new TaskError('Something expected went wrong.');
    assert.ok(e instanceof Error);
    assert.equal(e.message, 'Something expected went wrong.');
  });

  it('resourceIdFromUrl keeps the first-level resource, RG or subscription', () => {
    assert.equal(resourceIdFromUrl(`https://management.azure.com${WS}/jobs/j1?api-version=1`), WS);
    assert.equal(resourceIdFromUrl('https://h/subscriptions/s/resourceGroups/rg/providers/Microsoft.Foo'), '/subscriptions/s/resourceGroups/rg');
    assert.equal(resourceIdFromUrl('https://h/subscriptions/s/providers/Microsoft.Resources/deployments'), '/subscriptions/s');
    assert.equal(resourceIdFromUrl('https://vault.example/secrets/x'), undefined);
    assert.equal(resourceIdFromUrl(undefined), undefined);
  });

  it('reads an ARM error body from a RestError (code, message, details, status, url)', () => {
    const e = restError(400, { error: { code: 'BadArgument', message: 'Bad thing.', details: [{ code: 'X', message: 'Field y is wrong.' }] } });
    const info = azureErrorInfo(e);
    assert.equal(info.statusCode, 400);
    assert.equal(info.code, 'BadArgument');
    assert.equal(info.message, 'Bad thing. Field y is wrong.');
    assert.equal(info.resourceId, WS);
    assert.equal(describeAzureError(e, { action: 'Creating', resource: "job 'j1'" }), "Creating job 'j1' failed: BadArgument (400): Bad thing. Field y is wrong.");
  });

  it('prefers RestError.details when the SDK parsed the body', () => {
    const e = restError(409, 'not json');
    e.details = { error: { code: 'Conflict', message: 'Busy' } };
    const d = describeAzureError(e, { resource: "container group 'cg'" });
    assert.match(d, /^container group 'cg' failed: Conflict \(409\): Busy\. Hint: the request conflicts with the current state of container group 'cg' \(Conflict\)/);
  });

  it('401 for an expired access token hints at a re-run and the agent clock, not the secret', () => {
    const arm = describeAzureError(restError(401, { error: { code: 'ExpiredAuthenticationToken', message: "The access token expiry UTC time '11/27/2026 10:00:00 PM' is earlier than current UTC time." } }));
    assert.match(arm, /Hint: the access token had expired.*clock/);
    assert.doesNotMatch(arm, /client secret/);
    const vault = describeAzureError(restError(401, { error: { code: 'Unauthorized', message: 'AKV10022: Invalid audience or token expired.' } }));
    assert.match(vault, /Hint: the access token had expired/);
  });

  it('401 hint talks about credential, tenant and expiry', () => {
    const d = describeAzureError(restError(401, { error: { code: 'InvalidAuthenticationToken', message: 'expired' } }));
    assert.match(d, /^Request for \/subscriptions\/sub1\/.*failed: InvalidAuthenticationToken \(401\): expired\. Hint: .*tenant id.*expired/);
  });

  it('403 hint names the likely role and the scope from the URL', () => {
    const d = describeAzureError(restError(403, { error: { code: 'AuthorizationFailed', message: 'no access' } }), { action: 'Submitting', resource: "job 'j1'" });
    assert.match(d, /needs the 'AzureML Data Scientist' or 'Contributor' role on \/subscriptions\/sub1\/resourceGroups\/rg1\/providers\/Microsoft\.MachineLearningServices\/workspaces\/ws1/);
  });

  it('likelyRole covers registry, instances, vault and blob', () => {
    assert.match(likelyRole('/subscriptions/s/resourceGroups/r/providers/Microsoft.ContainerRegistry/registries/a', undefined, 'Pushing'), /AcrPush/);
    assert.match(likelyRole('/subscriptions/s/resourceGroups/r/providers/Microsoft.ContainerInstance/containerGroups/a', undefined), /Contributor/);
    assert.match(likelyRole(undefined, 'kv.vault.azure.net', 'Reading'), /Key Vault Secrets User/);
    assert.match(likelyRole(undefined, 'kv.vault.azure.net', 'Setting'), /Key Vault Secrets Officer/);
    assert.match(likelyRole(undefined, 'acct.blob.core.windows.net', 'Uploading'), /Storage Blob Data Contributor/);
    assert.equal(likelyRole(undefined, undefined), "'Contributor'");
  });

  it('404 hint names the resource and what to check', () => {
    const d = describeAzureError(restError(404, { error: { code: 'ResourceNotFound', message: 'gone' } }), { action: 'Reading', resource: "workspace 'ws1'" });
    assert.match(d, /Hint: workspace 'ws1' was not found: check its name, the resource group and .*subscription/);
  });

  it('429 hint says throttled, retried, try later', () => {
    const d = describeAzureError(restError(429, { error: { code: 'TooManyRequests', message: 'slow down' } }));
    assert.match(d, /throttled.*retried.*try again/);
  });

  it('never echoes SAS query strings, keys or bearer tokens', () => {
    const url = 'https://acct.blob.core.windows.net/c/b?sv=2021&sig=SECRETSIG&se=2030';
    const e = restError(403, { error: { code: 'AuthenticationFailed', message: `Denied for ${url} with sig=LOOSESIG AccountKey=KEY123; Bearer eyJabc.def.ghi` } }, url);
    const d = describeAzureError(e);
    assert.doesNotMatch(d, /SECRETSIG|LOOSESIG|KEY123|eyJabc/);
    assert.match(d, /https:\/\/acct\.blob\.core\.windows\.net\/c\/b/);
    assert.match(d, /Storage Blob Data/);
    assert.equal(redact('x https://h/p?code=abc y'), 'x https://h/p y');
  });

  it('understands identity AuthenticationError shapes and plain objects', () => {
    const err = Object.assign(new Error('long text'), {
      statusCode: 400,
      errorResponse: { error: 'invalid_client', errorDescription: 'AADSTS7000215: Invalid client secret provided.\nTrace ID: 1' },
    });
    const d = describeAzureError(err, { action: 'Signing in with', resource: "service connection 'c'" });
    assert.equal(d, "Signing in with service connection 'c' failed: invalid_client (400): AADSTS7000215: Invalid client secret provided.");
    assert.equal(statusOf({ statusCode: 404 }), 404);
    assert.equal(statusOf('text'), undefined);
    assert.equal(describeAzureError('boom'), 'Azure request failed: boom.');
  });

  it('network errors get a proxy/DNS hint, certificate errors a CA hint', () => {
    const request = createPipelineRequest({ url: 'https://management.azure.com/subscriptions/s?api-version=1' });
    const e = new RestError('getaddrinfo ENOTFOUND management.azure.com', { code: 'ENOTFOUND', request });
    assert.match(describeAzureError(e), /ENOTFOUND.*Hint: the network call failed.*proxy/);
    const c = new RestError('self-signed certificate in certificate chain', { code: 'SELF_SIGNED_CERT_IN_CHAIN', request });
    assert.match(describeAzureError(c), /Agent\.CAInfo/);
  });

  it('5xx mentions a server error and retries', () => {
    assert.match(describeAzureError(restError(503, { error: { code: 'ServiceUnavailable', message: 'later' } })), /server error.*retried/);
  });
});
