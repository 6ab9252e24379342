// Unit tests of DeployToACI's pure logic: inputs, image references, the container group body, and
// the classification of the group's state while waiting.
import * as assert from 'node:assert';
import type { ContainerGroup } from '@azure/arm-containerinstance';
import * as sinon from 'sinon';
import * as tl from 'azure-pipelines-task-lib/task';
import { cloudFromData } from '../../shared/src/cloud';
import { stubAgent } from '../../shared/tests/helpers';
import { containerGroupBody, GroupSpec, incompatibleChanges } from '../src/containerGroup';
import { observe, eventsTable } from '../src/deploy';
import { endpointOf } from '../src/endpoint';
import { defaultDnsNameLabel, readInputs } from '../src/inputs';
import { deployedImage, groupTags } from '../src/prepare';
import { type ImageReference, parseImageReference } from '../../shared/src/imageReference';
import { generateScoringKey } from '../src/secrets';

const cloud = cloudFromData({ url: 'https://management.azure.com/', environment: 'AzureCloud' });
const BASE = { resourceGroup: 'rg-ml', containerGroupName: 'churn-prod', imageUri: 'mlacr.azurecr.io/churn:3-42' };

describe('DeployToACI unit', () => {
  const sb = sinon.createSandbox();
  // task-lib readers are stubbed per read: a test may read several input sets
  const agent = sinon.createSandbox();
  let secrets: string[];
  beforeEach(() => {
    secrets = [];
    sb.stub(tl, 'setSecret').callsFake((s: string) => void secrets.push(s));
  });
  afterEach(() => {
    agent.restore();
    sb.restore();
  });
  const read = (inputs: Record<string, string>, variables: Record<string, string> = {}): ReturnType<typeof readInputs> => {
    agent.restore();
    stubAgent(agent, { inputs: { ...BASE, ...inputs }, variables });
    return readInputs(cloud);
  };
  const fails = (inputs: Record<string, string>, pattern: RegExp): string => {
    let message = '';
    assert.throws(() => read(inputs), (e: Error) => {
      message = e.message;
      return e.name === 'InputError' && pattern.test(e.message);
    });
    return message;
  };

  describe('inputs', () => {
    it('applies the defaults', () => {
      const p = read({});
      assert.strictEqual(p.cpu, 1);
      assert.strictEqual(p.memoryGb, 1.5);
      assert.strictEqual(p.port, 5001);
      assert.strictEqual(p.dnsNameLabel, 'churn-prod');
      assert.strictEqual(p.authEnabled, true);
      assert.strictEqual(p.appInsights, true);
      assert.strictEqual(p.scoringKeySecret, undefined, 'no key secret without a vault');
      assert.strictEqual(p.readinessTimeoutMs, 15 * 60_000);
      assert.deepStrictEqual(p.registry, { mode: 'managedIdentity' });
      assert.strictEqual(p.location, undefined);
    });
    it('derives the scoring key secret name from the group when a vault is given', () => {
      assert.strictEqual(read({ keyVault: 'kv-test' }).scoringKeySecret, 'churn-prod-scoring-key');
      assert.strictEqual(read({ keyVault: 'kv-test', scoringKeySecret: 'my-key' }).scoringKeySecret, 'my-key');
    });
    it('normalises the location', () => {
      assert.strictEqual(read({ location: 'West Europe' }).location, 'westeurope');
    });
    it('rejects an invalid container group name', () => {
      const m = fails({ containerGroupName: 'Churn_Prod' }, /Input 'containerGroupName': 'Churn_Prod' is not a valid container group name\. Expected 1-63 lower-case/);
      assert.ok(!m.includes('\n'));
      fails({ containerGroupName: 'a--b' }, /containerGroupName/);
      fails({ containerGroupName: '-ab' }, /containerGroupName/);
      fails({ containerGroupName: 'a'.repeat(64) }, /containerGroupName/);
    });
    it('checks cpu and memory against the ACI limits', () => {
      fails({ cpu: '5' }, /Input 'cpu': 5 is out of range\. Expected a number from 0\.1 to 4/);
      fails({ cpu: '0' }, /Input 'cpu'/);
      fails({ cpu: 'two' }, /Input 'cpu': 'two' is not a number/);
      fails({ cpu: '1.25' }, /Input 'cpu': 1\.25 has more than one decimal place/);
      fails({ memoryGb: '32' }, /Input 'memoryGb': 32 is out of range\. Expected a number from 0\.1 to 16/);
      fails({ memoryGb: '0.05' }, /memoryGb/);
      assert.strictEqual(read({ cpu: '0.5', memoryGb: '16' }).memoryGb, 16);
      assert.strictEqual(read({ cpu: '4' }).cpu, 4);
    });
    it('checks the port', () => {
      fails({ port: '70000' }, /Input 'port': 70000 is out of range/);
    });
    it('validates the DNS name label and derives a valid default', () => {
      fails({ dnsNameLabel: 'abc' }, /Input 'dnsNameLabel': 'abc' is not a valid DNS name label\. Expected 5-63/);
      fails({ dnsNameLabel: 'Upper-Case' }, /dnsNameLabel/);
      fails({ dnsNameLabel: '1abcde' }, /dnsNameLabel/);
      fails({ dnsNameLabel: 'abcde-' }, /dnsNameLabel/);
      assert.strictEqual(read({ dnsNameLabel: 'my-endpoint' }).dnsNameLabel, 'my-endpoint');
      for (const name of ['a', '1', 'ab-1', '9lives', 'x'.repeat(63)]) {
        const l = defaultDnsNameLabel(name);
        assert.match(l, /^[a-z][a-z0-9-]{3,61}[a-z0-9]$/, `${name} -> ${l}`);
      }
    });
    it('makes a subnet deployment private and refuses a DNS label with it', () => {
      const subnet = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/aci';
      const p = read({ subnetId: subnet });
      assert.strictEqual(p.dnsNameLabel, undefined);
      fails({ subnetId: subnet, dnsNameLabel: 'my-endpoint' }, /Input 'dnsNameLabel': is set but subnetId makes the group private/);
      fails({ subnetId: 'subnet-1' }, /Input 'subnetId': 'subnet-1' is not a subnet resource id/);
    });
    it('rejects malformed environment lines with the line number', () => {
      fails({ environmentVariables: 'A=1\nB 2' }, /Input 'environmentVariables': line 2 'B 2' has no '='/);
      fails({ environmentVariables: '1A=x' }, /Input 'environmentVariables': line 1: key '1A' is not valid/);
      fails({ environmentVariables: 'A=1\nA=2' }, /repeated/);
      assert.strictEqual(read({ environmentVariables: '# comment\nMODE=prod\nEMPTY=' }).environment.get('EMPTY'), '');
    });
    it('never shows a secure line in an error, and masks every secure value', () => {
      const m = fails({ secureEnvironmentVariables: 'DB=s3cret-1\nhunter2-secret-value' }, /Input 'secureEnvironmentVariables': line 2 has no '='/);
      assert.ok(!m.includes('hunter2'), m);
      assert.ok(secrets.includes('s3cret-1'));
      const m2 = fails({ secureEnvironmentVariables: 'pass word=abc' }, /line 1: the name before '=' is not a valid/);
      assert.ok(!m2.includes('pass word'), m2);
      const p = read({ secureEnvironmentVariables: 'DB_PASSWORD=p@ss=word' });
      assert.strictEqual(p.secureEnvironment.get('DB_PASSWORD'), 'p@ss=word');
    });
    it('needs a Key Vault for Key Vault variables and checks secret names', () => {
      fails({ secretEnvironmentVariables: 'API_KEY=api-key' }, /Input 'secretEnvironmentVariables': is set but keyVault is empty/);
      fails({ keyVault: 'kv-test', secretEnvironmentVariables: 'API_KEY=api_key!' }, /API_KEY: 'api_key!' is not a Key Vault secret name/);
      fails({ keyVault: 'not a vault!' }, /Input 'keyVault'/);
      fails({ scoringKeySecret: 'k' }, /Input 'scoringKeySecret': is set but keyVault is empty/);
    });
    it('refuses a variable set twice or SCORING_KEY set by hand', () => {
      fails({ environmentVariables: 'SCORING_KEY=abc' }, /Input 'environmentVariables': the environment variable SCORING_KEY is also set by 'authEnabled'/);
      fails({ environmentVariables: 'X=1', secureEnvironmentVariables: 'X=2' }, /Input 'secureEnvironmentVariables': the environment variable X is also set by 'environmentVariables'/);
      assert.strictEqual(read({ authEnabled: 'false', secureEnvironmentVariables: 'SCORING_KEY=mine-1234' }).secureEnvironment.get('SCORING_KEY'), 'mine-1234');
    });
    it('requires user name and password for given registry credentials, and masks the password', () => {
      fails({ registryCredentials: 'given', registryPassword: 'pw-123456' }, /Input 'registryUsername': is empty but registryCredentials is 'given'/);
      const m = fails({ registryCredentials: 'given', registryUsername: 'u' }, /Input 'registryPassword'/);
      assert.ok(!m.includes('pw-'));
      const p = read({ registryCredentials: 'given', registryUsername: 'u', registryPassword: 'pw-123456' });
      assert.deepStrictEqual(p.registry, { mode: 'given', username: 'u', password: 'pw-123456' });
      assert.ok(secrets.includes('pw-123456'));
      fails({ registryCredentials: 'magic' }, /Input 'registryCredentials': 'magic' is not supported\. Expected one of 'managedIdentity', 'adminUser', 'given', 'none', 'automatic'/);
    });
    it('pulls with a managed identity by default; reads pullIdentity as a name or a resource id', () => {
      assert.deepStrictEqual(read({ registryCredentials: 'automatic' }).registry, { mode: 'managedIdentity' }, "'automatic' is the former default");
      assert.deepStrictEqual(read({ registryCredentials: 'adminUser' }).registry, { mode: 'adminUser' });
      assert.deepStrictEqual(read({ pullIdentity: 'id-pull' }).registry, { mode: 'managedIdentity', identity: { name: 'id-pull', given: true } });
      const id = '/subscriptions/0000/resourceGroups/rg-shared/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-pull';
      assert.deepStrictEqual(read({ pullIdentity: id }).registry, { mode: 'managedIdentity', identity: { subscriptionId: '0000', resourceGroup: 'rg-shared', name: 'id-pull', given: true } });
      fails({ pullIdentity: 'a b' }, /^Input 'pullIdentity': 'a b' is neither a user-assigned identity name nor its resource id\. Expected /);
      fails({ pullIdentity: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/x' }, /^Input 'pullIdentity': .* is neither/);
      fails({ registryCredentials: 'adminUser', pullIdentity: 'id-pull' }, /^Input 'pullIdentity': is set but registryCredentials is 'adminUser'\. Expected pullIdentity empty, or registryCredentials 'managedIdentity'\.$/);
    });
    it('validates the image and its digest', () => {
      fails({ imageUri: 'https://acr.io/x:1' }, /Input 'imageUri': 'https:\/\/acr.io\/x:1' is not a valid image reference/);
      fails({ imageDigest: 'abc' }, /Input 'imageDigest': 'abc' is not an image digest/);
      const d = 'sha256:' + 'b'.repeat(64);
      fails({ imageUri: `acr.io/x@sha256:${'c'.repeat(64)}`, imageDigest: d }, /differs from the digest in imageUri/);
      assert.strictEqual(read({ imageUri: `acr.io/x@${d}` }).imageDigest, d);
    });
    it('bounds the readiness timeout', () => {
      fails({ readinessTimeoutMinutes: '0' }, /Input 'readinessTimeoutMinutes': 0 is out of range/);
      assert.strictEqual(read({ readinessTimeoutMinutes: '0.5' }).readinessTimeoutMs, 30_000);
    });
  });

  describe('container group body', () => {
    const spec = (o: Partial<GroupSpec> = {}): GroupSpec => ({
      name: 'churn-prod', location: 'eastus', image: 'mlacr.azurecr.io/churn:3', cpu: 1, memoryGb: 1.5, port: 5001, dnsNameLabel: 'churn-prod',
      environment: new Map([['MODE', 'prod']]),
      secureEnvironment: new Map([['SCORING_KEY', 'key-123'], ['DB_PASSWORD', 'pw-456']]),
      registryCredential: { server: 'mlacr.azurecr.io', username: 'mlacr', password: 'acr-pw-789' },
      tags: { 'ado.runId': '42' },
      ...o,
    });
    it('puts every secret only into secureValue', () => {
      const body = containerGroupBody(spec());
      const env = body.containers[0].environmentVariables ?? [];
      assert.deepStrictEqual(env, [{ name: 'MODE', value: 'prod' }, { name: 'SCORING_KEY', secureValue: 'key-123' }, { name: 'DB_PASSWORD', secureValue: 'pw-456' }]);
      for (const e of env) if (e.secureValue) assert.strictEqual(e.value, undefined);
      assert.deepStrictEqual(body.imageRegistryCredentials, [{ server: 'mlacr.azurecr.io', username: 'mlacr', password: 'acr-pw-789' }]);
      assert.deepStrictEqual(body.ipAddress, { type: 'Public', ports: [{ port: 5001, protocol: 'TCP' }], dnsNameLabel: 'churn-prod' });
      assert.deepStrictEqual(body.containers[0].resources, { requests: { cpu: 1, memoryInGB: 1.5 } });
      assert.strictEqual(body.osType, 'Linux');
      assert.strictEqual(body.restartPolicy, 'Always');
      assert.deepStrictEqual(body.tags, { 'ado.runId': '42' });
    });
    it('makes a private group with a subnet', () => {
      const body = containerGroupBody(spec({ subnetId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a', dnsNameLabel: undefined }));
      assert.strictEqual(body.ipAddress?.type, 'Private');
      assert.strictEqual(body.ipAddress?.dnsNameLabel, undefined);
      assert.strictEqual(body.subnetIds?.length, 1);
    });
    it('lists what ACI cannot change in place', () => {
      const a = containerGroupBody(spec());
      const b = containerGroupBody(spec({ cpu: 2, memoryGb: 4 }));
      assert.deepStrictEqual(incompatibleChanges(a, b), ['CPU 1 -> 2', 'memory 1.5 GB -> 4 GB']);
      assert.deepStrictEqual(incompatibleChanges(a, containerGroupBody(spec({ image: 'other:2', environment: new Map() }))), []);
    });
    it('deploys by digest whenever the digest is known, the tag otherwise', () => {
      const d = 'sha256:' + 'e'.repeat(64);
      const ref = (uri: string): ImageReference => parseImageReference(uri) as ImageReference;
      assert.strictEqual(deployedImage({ imageUri: 'acr.io:5000/team/x:1', image: ref('acr.io:5000/team/x:1'), imageDigest: d }), `acr.io:5000/team/x@${d}`);
      assert.strictEqual(deployedImage({ imageUri: `acr.io/x:1@${d}`, image: ref(`acr.io/x:1@${d}`), imageDigest: d }), `acr.io/x@${d}`);
      assert.strictEqual(deployedImage({ imageUri: 'acr.io/x:1', image: ref('acr.io/x:1') }), 'acr.io/x:1');
      assert.strictEqual(deployedImage({ imageUri: 'python:3.11', image: ref('python:3.11'), imageDigest: d }), `python@${d}`);
    });

    it('tags the group with the run and the upstream image', () => {
      stubAgent(agent, { variables: { 'Build.BuildId': '42', 'System.TeamProject': 'ml', 'System.CollectionUri': 'https://dev.azure.com/contoso/' } });
      const tags = groupTags({ imageUri: 'a.io/x:1', imageDigest: 'sha256:' + 'd'.repeat(64), workspaceName: 'mlw' });
      assert.strictEqual(tags['ado.runId'], '42');
      assert.strictEqual(tags['upstream.image'], 'a.io/x:1');
      assert.strictEqual(tags['upstream.imageDigest'], 'sha256:' + 'd'.repeat(64));
      assert.strictEqual(tags['aml.workspace'], 'mlw');
      assert.strictEqual(tags['ado.runUrl'], 'https://dev.azure.com/contoso/ml/_build/results?buildId=42');
    });
  });

  describe('scoring key', () => {
    it('is 32 random bytes, base64url, masked', () => {
      const a = generateScoringKey();
      const b = generateScoringKey();
      assert.match(a, /^[A-Za-z0-9_-]{43}$/);
      assert.notStrictEqual(a, b);
      assert.ok(secrets.includes(a) && secrets.includes(b));
    });
  });

  describe('waiting', () => {
    const view = (provisioningState: string, state?: string, o: { restartCount?: number; detail?: string; exitCode?: number } = {}): ContainerGroup => ({
      name: 'g', osType: 'Linux', provisioningState,
      containers: [{ name: 'g', image: 'x', resources: { requests: { cpu: 1, memoryInGB: 1 } }, instanceView: { restartCount: o.restartCount ?? 0, ...(state ? { currentState: { state, detailStatus: o.detail, exitCode: o.exitCode } } : {}) } } as never],
    });
    it('is done only when provisioned and running', () => {
      assert.deepStrictEqual(observe(view('Creating'), 'running'), { state: 'provisioning Creating', done: false, restarts: 0 });
      assert.strictEqual(observe(view('Succeeded', 'Running'), 'running').done, false, 'the LRO has not finished');
      assert.strictEqual(observe(view('Succeeded', 'Running'), 'succeeded').done, true);
      assert.strictEqual(observe(view('Succeeded', 'Waiting'), 'succeeded').done, false);
    });
    it('recognises failures', () => {
      assert.match(observe(view('Failed', 'Waiting'), 'failed', 'ContainerGroupDeploymentFailed. pull').failure ?? '', /provisioning failed: ContainerGroupDeploymentFailed/);
      assert.match(observe(view('Succeeded', 'Waiting', { restartCount: 3, detail: 'CrashLoopBackOff' }), 'succeeded').failure ?? '', /keeps crashing \(3 restart/);
      assert.match(observe(view('Succeeded', 'Terminated', { exitCode: 1 }), 'succeeded').failure ?? '', /terminated with exit code 1/);
      assert.strictEqual(observe(view('Succeeded', 'Running', { restartCount: 1 }), 'succeeded').done, true, 'a restart that recovered is fine');
    });
    it('formats events as a table', () => {
      const g = view('Failed', 'Waiting');
      (g.containers[0].instanceView as { events: unknown[] }).events = [
        { count: 2, lastTimestamp: new Date('2024-01-01T00:00:05Z'), name: 'Failed', type: 'Warning', message: 'Failed to pull image "x"' },
        { count: 1, lastTimestamp: new Date('2024-01-01T00:00:01Z'), name: 'Pulling', type: 'Normal', message: 'pulling image "x"' },
      ];
      const t = eventsTable(g) ?? '';
      assert.ok(t.indexOf('Pulling') < t.indexOf('Failed to pull'), t);
      assert.strictEqual(eventsTable(view('Pending')), undefined);
    });
  });

  describe('endpoint', () => {
    it('uses the FQDN, else the IP', () => {
      assert.strictEqual(endpointOf({ id: '/x', name: 'g', ipAddress: { type: 'Public', ports: [], ip: '20.1.2.3', fqdn: 'g.eastus.azurecontainer.io' } } as unknown as ContainerGroup, 5001).scoringUri, 'http://g.eastus.azurecontainer.io:5001/score');
      const priv = endpointOf({ id: '/x', name: 'g', ipAddress: { type: 'Private', ports: [], ip: '10.0.0.4' } } as unknown as ContainerGroup, 80);
      assert.strictEqual(priv.scoringUri, 'http://10.0.0.4:80/score');
      assert.strictEqual(priv.fqdn, '');
    });
  });
});
