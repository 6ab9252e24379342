// L0 tests: the tsc-compiled task's main (out/tasks/DeployToACI/src/main.js) run by task-lib's MockTestRunner,
// one scenario script per case (tests/L0/<case>.ts), with recording fakes for every Azure client and
// Key Vault injected into main (see tests/L0/common.ts). Nothing here reaches a network.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { assertFailedBeforeAnyCall, callsOf, leakedBeyondAgentMasking, runScenario, ScenarioRun } from '../../shared/tests/l0';
import { APPINSIGHTS_ID, DIGEST, FQDN, GROUP_ID, INJECTION, SECRETS, sha, SP_KEY, SUBSCRIPTION, VAULT_SCORING_KEY } from './L0/common';

const scenario = (name: string): Promise<ScenarioRun> => runScenario(path.join(__dirname, 'L0', `${name}.js`), { timeoutMs: 60000 });
// task-lib echoes endpoint auth parameters in a debug line; the agent masks its endpoint secrets there itself.
// Every other secret (typed into inputs, read from the vault, the registry or App Insights, generated) may
// appear only in the commands that register it with the agent.
const leaks = (run: ScenarioRun, extra: string[] = []): string[] => leakedBeyondAgentMasking(run, [...SECRETS, ...extra]);

/** The calls before the PUT: reads only (plus storing a generated key right before the write). */
const PREPARE = [
  'containerGroups.get', 'resourceGroups.get', 'workspaces.get', 'registries.get', 'registries.listCredentials',
  'getSecret', 'armRequest', 'getSecret',
];
const OUTPUT_NAMES = ['containerGroupId', 'fqdn', 'ipAddress', 'scoringKey', 'scoringUri'];

interface PutCall {
  rg: string;
  name: string;
  body: {
    location: string;
    tags: Record<string, string>;
    containers: { image: string; resources: unknown; ports: unknown; environmentVariables: { name: string; value?: string; secureValue?: string }[] }[];
    imageRegistryCredentials?: unknown[];
    ipAddress: unknown;
  };
}

/** Names of the calls up to the first PUT, then the PUT, then whatever follows (only reads of the group). */
function namesUntilPut(run: ScenarioRun): string[] {
  const names = run.calls.map((c) => c.name);
  return names.slice(0, names.indexOf('containerGroups.beginCreateOrUpdate') + 1);
}

describe('DeployToACI L0 (MockTestRunner)', function () {
  this.timeout(120000);

  it('creates the group with every secret as a secureValue, stores a generated scoring key, waits until running and sets every output', async () => {
    const run = await scenario('success');
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.ok(run.succeeded);
    assert.deepEqual(run.errors, []);
    // the new key is stored once Azure accepted the PUT (the group holds it), then only reads of the group
    assert.deepEqual(namesUntilPut(run), [...PREPARE, 'containerGroups.beginCreateOrUpdate']);
    const after = run.calls.slice(namesUntilPut(run).length).map((c) => c.name);
    assert.equal(after[0], 'setSecret');
    assert.ok(after.length >= 3 && after.slice(1).every((n) => n === 'containerGroups.get'), `after the PUT and the key only reads of the group: ${after.join(', ')}`);
    assert.deepEqual(callsOf(run, 'containerGroups.get')[0], { rg: 'rg-ml', name: 'churn-staging', exists: false });
    assert.deepEqual(callsOf(run, 'registries.listCredentials'), [{ rg: 'rg-ml', name: 'mlacr12345' }]);
    assert.deepEqual(callsOf(run, 'armRequest'), [{ method: 'GET', pathOrUrl: APPINSIGHTS_ID, apiVersion: '2020-02-02' }]);
    assert.deepEqual(callsOf(run, 'getSecret'), [
      { subscriptionId: SUBSCRIPTION, vault: 'kv-ml', secretName: 'feature-store-key' },
      { subscriptionId: SUBSCRIPTION, vault: 'kv-ml', secretName: 'churn-staging-scoring-key' },
    ]);

    // the generated key: a secret output, the value stored in the vault and the one sent to the group
    const key = run.outputs.scoringKey;
    assert.match(key, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(run.secrets.includes(key), 'the generated key is masked');
    const [stored] = callsOf(run, 'setSecret') as { vault: string; secretName: string; valueSha: string; tags: Record<string, string> }[];
    assert.equal(stored.vault, 'kv-ml');
    assert.equal(stored.secretName, 'churn-staging-scoring-key');
    assert.equal(stored.valueSha, sha(key));
    assert.equal(stored.tags.containerGroup, 'churn-staging');
    assert.equal(stored.tags['ado.runId'], '42');

    const [put] = callsOf(run, 'containerGroups.beginCreateOrUpdate') as PutCall[];
    assert.equal(put.rg, 'rg-ml');
    assert.equal(put.name, 'churn-staging');
    assert.equal(put.body.location, 'westeurope');
    assert.equal(put.body.tags['upstream.image'], 'mlacr12345.azurecr.io/churn:3-42');
    assert.equal(put.body.tags['upstream.imageDigest'], DIGEST);
    assert.equal(put.body.tags['ado.runId'], '42');
    const c = put.body.containers[0];
    // the digest is known (imageDigest): the container runs it, not the movable tag
    assert.equal(c.image, `mlacr12345.azurecr.io/churn@${DIGEST}`);
    assert.deepEqual(c.resources, { requests: { cpu: 1, memoryInGB: 2 } });
    assert.deepEqual(c.environmentVariables, [
      { name: 'MODE', value: 'staging' },
      { name: 'DB_PASSWORD', secureValue: '<DB_PASSWORD>' },
      { name: 'FEATURE_STORE_KEY', secureValue: '<FEATURE_KEY>' },
      { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', secureValue: '<APPINSIGHTS>' },
      { name: 'SCORING_KEY', secureValue: `sha256:${sha(key)}` },
    ]);
    assert.deepEqual(put.body.imageRegistryCredentials, [{ server: 'mlacr12345.azurecr.io', username: 'mlacr12345', password: '<ACR_PASSWORD>' }]);
    // the label can be taken again only within this tenant once the group is gone (no subdomain takeover)
    assert.deepEqual(put.body.ipAddress, { type: 'Public', ports: [{ port: 5001, protocol: 'TCP' }], dnsNameLabel: 'churn-staging', autoGeneratedDomainNameLabelScope: 'TenantReuse' });

    assert.deepEqual(Object.keys(run.outputs).sort(), OUTPUT_NAMES);
    assert.deepEqual({ ...run.outputs, scoringKey: '<generated>' }, {
      scoringUri: `http://${FQDN}:5001/score`,
      fqdn: FQDN,
      ipAddress: '20.50.1.2',
      containerGroupId: GROUP_ID,
      scoringKey: '<generated>',
    });
    for (const s of SECRETS.filter((x) => x !== SP_KEY && x !== VAULT_SCORING_KEY)) assert.ok(run.secrets.includes(s), `masked: ${s.slice(0, 12)}…`);
    assert.deepEqual(leaks(run, [key]), []);
  });

  it('reads the scoring key from Key Vault when the secret exists: used as is, nothing stored', async () => {
    const run = await scenario('keyFromVault');
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.deepEqual(namesUntilPut(run), [...PREPARE, 'containerGroups.beginCreateOrUpdate']);
    assert.deepEqual(callsOf(run, 'setSecret'), []);
    const [put] = callsOf(run, 'containerGroups.beginCreateOrUpdate') as PutCall[];
    assert.deepEqual(put.body.containers[0].environmentVariables.find((e) => e.name === 'SCORING_KEY'), { name: 'SCORING_KEY', secureValue: `sha256:${sha(VAULT_SCORING_KEY)}` });
    assert.equal(run.outputs.scoringKey, VAULT_SCORING_KEY);
    assert.ok(run.secrets.includes(VAULT_SCORING_KEY));
    assert.equal(run.outputs.scoringUri, `http://${FQDN}:5001/score`);
    assert.deepEqual(Object.keys(run.outputs).sort(), OUTPUT_NAMES);
    assert.deepEqual(leaks(run), []);
  });

  it("fails when the container crash-loops, after printing its events and log tail (remote ##vso neutralised)", async () => {
    const run = await scenario('containerCrash');
    assert.equal(run.result, 'Failed', run.stdout);
    assert.equal(run.succeeded, false);
    assert.equal(run.message, "Container group 'churn-staging' did not start: the container keeps crashing (3 restart(s), CrashLoopBackOff). See the container's events and log above.");
    assert.deepEqual(run.errors, [run.message]);
    assert.deepEqual(callsOf(run, 'containers.listLogs'), [{ rg: 'rg-ml', group: 'churn-staging', container: 'churn-staging', tail: 50 }]);
    assert.match(run.stdout, /Events of container group 'churn-staging':/);
    assert.match(run.stdout, /Warning +BackOff +3 +Back-off restarting failed container/);
    assert.ok(run.stdout.includes("ModuleNotFoundError: No module named 'sklearn'"), 'the log tail is printed');
    assert.ok(!run.stdout.includes(INJECTION), 'the injected command is neutralised');
    assert.deepEqual(run.commands.filter((c) => c.command === 'task.complete').map((c) => c.properties.result), ['Failed']);
    assert.deepEqual(run.outputs, {}, 'no endpoint outputs for a group that does not run');
    assert.deepEqual(leaks(run), []);
  });

  it('stores a new scoring key only once Azure accepted the group: a rejected PUT leaves the vault untouched', async () => {
    const run = await scenario('putRejected');
    assert.equal(run.result, 'Failed', run.stdout);
    assert.match(run.message ?? '', /^Creating container group 'churn-staging' in resource group 'rg-ml' failed: InvalidRequestContent \(400\)/);
    assert.equal(callsOf(run, 'containerGroups.beginCreateOrUpdate').length, 1);
    assert.deepEqual(callsOf(run, 'setSecret'), [], 'no key stored for a group that does not hold it');
    assert.deepEqual(leaks(run), []);
  });

  const bad: [scenario: string, message: RegExp][] = [
    ['badGroupName', /^Input 'containerGroupName': 'Churn_Staging' is not a valid container group name\. Expected /],
    ['badImage', /^Input 'imageUri': 'mlacr12345\.azurecr\.io\/churn model:3' is not a valid image reference\. Expected /],
    ['cpuTooHigh', /^Input 'cpu': 8 is out of range\. Expected a number from 0\.1 to 4\.$/],
    ['secretEnvWithoutVault', /^Input 'secretEnvironmentVariables': is set but keyVault is empty\. Expected /],
    ['secureLineNoEquals', /^Input 'secureEnvironmentVariables': line 2 has no '=' \(its text is not shown: it may be a secret\)\. Expected /],
    ['givenWithoutUser', /^Input 'registryUsername': is empty but registryCredentials is 'given' \(registry mlacr12345\.azurecr\.io\)\. Expected /],
  ];
  for (const [name, message] of bad) {
    it(`fails on a bad input before any Azure call: ${name}`, async () => {
      const run = await scenario(name);
      assertFailedBeforeAnyCall(run, message, [...SECRETS]);
    });
  }
});
