// Integration tests: the BUNDLED task (dist/tasks/DeployToACI/index.js) runs as a child process the way
// the agent runs it, against the emulator (ARM, Key Vault, ACR, ACI — whose containers really run the
// scoring server) and Azurite. Assertions are on Azure-side state, recorded requests and ##vso commands.
import * as assert from 'node:assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { addRegistry, images, loginServerOf } from '../../../test/emulator/services/acr';
import { aciControl, appInsightsComponent, findContainerGroup } from '../../../test/emulator/services/aci';
import { addIdentity, identityById } from '../../../test/emulator/services/managed-identities';
import { authorizationControl, grantRole, roleAssignments, ROLES } from '../../../test/emulator/services/role-assignments';
import type { Emulator, RecordedRequest } from '../../../test/emulator';
import { assertNoSecretsLeaked, runTask, serviceConnectionEnv, type ServiceConnectionEnv, type TaskRun } from '../../../test/harness/run-task';
import { startTestBed, type TestBed } from '../../../test/harness/testbed';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const DIST = path.join(ROOT, 'dist', 'tasks', 'DeployToACI');
const SERVER_PY = path.join(ROOT, 'tasks', 'CreateImage', 'assets', 'server.py');
const FIXTURES = path.join(ROOT, 'tasks', 'DeployToACI', 'tests', 'fixtures');

const DB_PASSWORD = `db-${crypto.randomBytes(12).toString('hex')}`;
const API_KEY = `api-${crypto.randomBytes(12).toString('hex')}`;

interface EnvVar { name: string; value?: string; secureValue?: string }
interface PutBody {
  location: string;
  identity?: { type: string; userAssignedIdentities?: Record<string, unknown> };
  tags: Record<string, string>;
  properties: {
    containers: { name: string; properties: { image: string; environmentVariables: EnvVar[]; resources: { requests: { cpu: number; memoryInGB: number } } } }[];
    imageRegistryCredentials?: { server: string; username?: string; password?: string; identity?: string }[];
    ipAddress: { type: string; dnsNameLabel?: string; ports: { port: number }[] };
    subnetIds?: { id: string }[];
  };
}

describe('DeployToACI (bundled task against the emulator)', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let emu: Emulator;
  let conn: ServiceConnectionEnv;
  let loginServer: string;
  let registryPassword: string;
  let registryUser: string;
  let appInsightsConnection: string;
  const contexts: string[] = [];
  // The built task folder is copied once (as the agent extracts a task): a parallel `npm run build`
  // rewrites dist/ and must not pull the bundle away from under a running test.
  let bundle: string;

  /** An image in the emulator's registry: a build context with the real scoring server and a test score.py. */
  const seedImage = (tag: string, scoreFile = 'score.py'): { uri: string; digest: string } => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aci-ctx-'));
    contexts.push(dir);
    fs.mkdirSync(path.join(dir, 'scoring'));
    fs.mkdirSync(path.join(dir, 'model'));
    fs.copyFileSync(SERVER_PY, path.join(dir, 'scoring', 'server.py'));
    fs.copyFileSync(path.join(FIXTURES, scoreFile), path.join(dir, 'scoring', 'score.py'));
    fs.copyFileSync(path.join(FIXTURES, 'model.txt'), path.join(dir, 'model', 'model.txt'));
    const digest = `sha256:${crypto.createHash('sha256').update(dir).digest('hex')}`;
    const uri = `${loginServer}/churn:${tag}`;
    images(emu).set(uri, { digest, contextDir: dir, labels: {} });
    images(emu).set(`${loginServer}/churn@${digest}`, { digest, contextDir: dir, labels: {} });
    return { uri, digest };
  };

  // Secret inputs come from secret pipeline variables (`$(dbPassword)`), which the agent masks itself:
  // task-lib prints every input in a debug line. The leak check allows them only where the agent masks.
  const run = (inputs: Record<string, string>, secretVariables: Record<string, string> = {}): Promise<TaskRun> =>
    runTask(bundle, {
      inputs: { azureSubscription: conn.id, resourceGroup: 'rg-ml', ...inputs },
      secretVariables,
      connection: conn,
      variables: { 'Build.BuildId': '4242', 'Build.BuildNumber': '20240101.3', 'Build.DefinitionName': 'release-churn', 'System.TeamProject': 'ml-project' },
      timeoutMs: 100_000,
    });

  const putsTo = (name: string): RecordedRequest[] =>
    emu.requests.filter((r) => r.method === 'PUT' && r.host === 'management.localhost' && r.path.toLowerCase().endsWith(`/containergroups/${name}`) && r.status < 300);

  const allSecrets = (): string[] => [DB_PASSWORD, API_KEY, registryPassword, appInsightsConnection, ...conn.secrets, emu.identities.spnSecret.secret];

  /** POST /score through the FQDN → IP mapping the emulator wrote for the DNS preload. */
  const score = (scoringUri: string, key: string | undefined): Promise<{ status: number; body: string }> => {
    const u = new URL(scoringUri);
    const hosts = JSON.parse(fs.readFileSync(bed.hostsFile, 'utf8')) as Record<string, string>;
    const address = /^\d+\.\d+\.\d+\.\d+$/.test(u.hostname) ? u.hostname : hosts[u.hostname];
    assert.ok(address, `no address for ${u.hostname} in the hosts file`);
    const payload = JSON.stringify({ data: [[1, 2]] });
    return new Promise((resolve, reject) => {
      const req = http.request({ host: address, port: Number(u.port), path: u.pathname, method: 'POST', headers: { host: u.host, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(key ? { authorization: `Bearer ${key}` } : {}) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(payload);
    });
  };

  before(async () => {
    assert.ok(fs.existsSync(path.join(DIST, 'index.js')), `${DIST}/index.js is missing: run npm run build first`);
    const taskDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aci-task-'));
    contexts.push(taskDir);
    fs.cpSync(DIST, taskDir, { recursive: true });
    bundle = path.join(taskDir, 'index.js');
    bed = await startTestBed();
    emu = bed.emulator;
    conn = serviceConnectionEnv(emu, 'spnKey');
    const ws = emu.state.getWorkspace('rg-ml', 'mlw');
    assert.ok(ws?.containerRegistryName && ws.applicationInsightsName);
    const acr = addRegistry(emu, { name: ws.containerRegistryName, resourceGroup: 'rg-ml' });
    registryPassword = acr.passwords[0];
    registryUser = acr.username;
    loginServer = loginServerOf(emu, acr.name);
    appInsightsConnection = appInsightsComponent(emu, 'rg-ml', ws.applicationInsightsName)?.connectionString ?? '';
    assert.ok(appInsightsConnection.startsWith('InstrumentationKey='));
    emu.state.setSecret('kv-test', 'api-key', API_KEY);
  });

  after(async () => {
    await bed?.stop();
    for (const d of contexts) fs.rmSync(d, { recursive: true, force: true });
  });

  afterEach(() => {
    emu.faults.clear();
    Object.assign(aciControl(emu), { holdPulling: false, provisioningPolls: 1 });
  });

  describe('create, then update in place', () => {
    let first: TaskRun;
    let image: { uri: string; digest: string };
    const inputs = (): Record<string, string> => ({
      containerGroupName: 'churn-prod',
      imageUri: image.uri,
      imageDigest: image.digest,
      workspaceName: 'mlw',
      environmentVariables: 'MODE=prod',
      secureEnvironmentVariables: `DB_PASSWORD=${DB_PASSWORD}`,
      keyVault: 'kv-test',
      secretEnvironmentVariables: 'API_KEY=api-key',
      readinessTimeoutMinutes: '2',
    });

    let requestsBefore = 0;
    before(async () => {
      image = seedImage('3-4242');
      requestsBefore = emu.requests.length;
      first = await run(inputs(), { dbPassword: DB_PASSWORD });
    });

    it('creates the group, waits until it runs and sets the outputs', () => {
      assert.strictEqual(first.result, 'Succeeded', `${first.message}\n${first.stdout}`);
      assert.match(first.stdout, /Creating container group churn-prod in eastus\./);
      assert.strictEqual(first.outputs.scoringUri, 'http://churn-prod.eastus.azurecontainer.localhost:5001/score');
      assert.strictEqual(first.outputs.fqdn, 'churn-prod.eastus.azurecontainer.localhost');
      assert.match(first.outputs.ipAddress, /^127\.\d+\.\d+\.\d+$/);
      assert.match(first.outputs.containerGroupId, /\/resourceGroups\/rg-ml\/providers\/Microsoft\.ContainerInstance\/containerGroups\/churn-prod$/);
      const g = findContainerGroup(emu, 'rg-ml', 'churn-prod');
      assert.strictEqual(g?.provisioningState, 'Succeeded');
      assert.strictEqual(g?.container.current.state, 'Running');
      assert.ok(first.summaries.some((s) => s.includes('Container group churn-prod') && s.includes(first.outputs.scoringUri)));
    });

    it('sends every secret only as a secureValue and tags the group with its lineage', () => {
      const puts = putsTo('churn-prod');
      assert.strictEqual(puts.length, 1);
      const body = JSON.parse(puts[0].body) as PutBody;
      const env = body.properties.containers[0].properties.environmentVariables;
      const byName = new Map(env.map((e) => [e.name, e]));
      assert.deepStrictEqual(byName.get('MODE'), { name: 'MODE', value: 'prod' });
      assert.deepStrictEqual(byName.get('DB_PASSWORD'), { name: 'DB_PASSWORD', secureValue: DB_PASSWORD });
      assert.deepStrictEqual(byName.get('API_KEY'), { name: 'API_KEY', secureValue: API_KEY });
      assert.deepStrictEqual(byName.get('SCORING_KEY'), { name: 'SCORING_KEY', secureValue: first.outputs.scoringKey });
      assert.deepStrictEqual(byName.get('APPLICATIONINSIGHTS_CONNECTION_STRING'), { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', secureValue: appInsightsConnection });
      const plainValues = env.filter((e) => e.value !== undefined).map((e) => e.value ?? '');
      for (const s of allSecrets()) assert.ok(!plainValues.some((v) => v.includes(s)), 'a secret is in a plain value');
      // the default: a managed identity with AcrPull pulls (no password anywhere); the admin user is never read
      const identity = `/subscriptions/${emu.identities.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.ManagedIdentity/userAssignedIdentities/acrpull-${registryUser.toLowerCase()}`;
      assert.deepStrictEqual(body.properties.imageRegistryCredentials, [{ server: loginServer, identity }]);
      assert.deepStrictEqual(body.identity, { type: 'UserAssigned', userAssignedIdentities: { [identity]: {} } });
      assert.ok(!emu.requests.slice(requestsBefore).some((r) => /\/listCredentials$/.test(r.path)), 'no admin credentials read');
      assert.deepStrictEqual(body.properties.containers[0].properties.resources, { requests: { cpu: 1, memoryInGB: 1.5 } });
      assert.strictEqual(body.location, 'eastus');
      assert.strictEqual(body.tags['ado.runId'], '4242');
      assert.strictEqual(body.tags['ado.pipeline'], 'release-churn');
      assert.strictEqual(body.tags['upstream.image'], image.uri);
      assert.strictEqual(body.tags['upstream.imageDigest'], image.digest);
      assert.strictEqual(body.tags['aml.workspace'], 'mlw');
      // deployed by digest (the tag could be moved to other content); the emulator pulled and ran that digest
      assert.strictEqual(body.properties.containers[0].properties.image, `${loginServer}/churn@${image.digest}`);
      assert.match(first.stdout, new RegExp(`Image: ${image.uri.replace(/[.]/g, '\\.')} \\(deployed by digest: `));
      assert.match(body.tags['ado.runUrl'] ?? '', /_build\/results\?buildId=4242$/);
    });

    it('generates the scoring key with enough entropy and stores it in Key Vault', () => {
      const key = first.outputs.scoringKey;
      assert.match(key, /^[A-Za-z0-9_-]{43}$/);
      assert.strictEqual(emu.state.getSecretValue('kv-test', 'churn-prod-scoring-key'), key);
      assert.ok(first.commands.some((c) => c.name === 'task.setvariable' && c.properties.variable === 'scoringKey' && c.properties.issecret === 'true' && c.properties.isOutput === 'true'));
      assert.ok(first.commands.some((c) => c.name === 'task.setsecret' && c.message === key), 'the key is masked');
    });

    it('serves the scoring contract with the key and refuses requests without it', async () => {
      const ok = await score(first.outputs.scoringUri, first.outputs.scoringKey);
      assert.strictEqual(ok.status, 200, ok.body);
      const body = JSON.parse(ok.body) as { model: string; mode: string; env: string[] };
      assert.strictEqual(body.model, 'churn-model-v3');
      assert.strictEqual(body.mode, 'prod');
      for (const name of ['API_KEY', 'DB_PASSWORD', 'SCORING_KEY', 'APPLICATIONINSIGHTS_CONNECTION_STRING']) assert.ok(body.env.includes(name), name);
      assert.strictEqual((await score(first.outputs.scoringUri, undefined)).status, 401);
      assert.strictEqual((await score(first.outputs.scoringUri, 'wrong-key')).status, 401);
    });

    it('reads back (GET) without any secure value or registry password, as Azure does', async () => {
      const token = emu.issueToken({ audience: emu.urls.arm, appId: emu.identities.spnSecret.clientId });
      const text = await new Promise<string>((resolve, reject) => {
        const req = https.request({
          host: '127.0.0.1', port: emu.port, servername: 'management.localhost', ca: emu.caPem, method: 'GET',
          path: `/subscriptions/${emu.identities.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.ContainerInstance/containerGroups/churn-prod?api-version=2023-05-01`,
          headers: { host: `management.localhost:${emu.port}`, authorization: `Bearer ${token}` },
        }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        });
        req.on('error', reject);
        req.end();
      });
      const g = JSON.parse(text) as PutBody & { properties: { provisioningState: string } };
      assert.strictEqual(g.properties.provisioningState, 'Succeeded');
      assert.ok(!text.includes('secureValue') && !text.includes('"password"'), text.slice(0, 300));
      for (const s of [...allSecrets(), first.outputs.scoringKey]) assert.ok(!text.includes(s));
      assert.ok(g.properties.containers[0].properties.environmentVariables.some((e) => e.name === 'SCORING_KEY' && e.value === undefined));
    });

    it('never prints a secret', () => {
      assertNoSecretsLeaked(first, [...allSecrets(), first.outputs.scoringKey]);
    });

    it('updates the same group in place on a re-run, reusing the key from Key Vault', async () => {
      const kvWritesBefore = emu.armWrites().filter((r) => r.host.endsWith('.vault.localhost')).length;
      const second = await run(inputs(), { dbPassword: DB_PASSWORD });
      assert.strictEqual(second.result, 'Succeeded', `${second.message}\n${second.stdout}`);
      assert.match(second.stdout, /Updating container group churn-prod in place \(eastus\)/);
      assert.match(second.stdout, /Scoring key: read from Key Vault secret 'churn-prod-scoring-key'/);
      assert.strictEqual(second.outputs.scoringKey, first.outputs.scoringKey);
      assert.strictEqual(second.outputs.scoringUri, first.outputs.scoringUri);
      assert.strictEqual(second.outputs.containerGroupId, first.outputs.containerGroupId);
      assert.strictEqual(putsTo('churn-prod').length, 2);
      assert.strictEqual(findContainerGroup(emu, 'rg-ml', 'churn-prod')?.deployments, 2);
      assert.strictEqual(emu.armWrites().filter((r) => r.host.endsWith('.vault.localhost')).length, kvWritesBefore, 'no new Key Vault write');
      assert.strictEqual((await score(second.outputs.scoringUri, second.outputs.scoringKey)).status, 200);
      assertNoSecretsLeaked(second, [...allSecrets(), second.outputs.scoringKey]);
    });
  });

  it('without a Key Vault generates a key per run and only outputs it; admin credentials when asked, masked', async () => {
    const image = seedImage('nokv');
    const writes = emu.armWrites().length;
    const r = await run({ containerGroupName: 'churn-nokv', imageUri: image.uri, workspaceName: 'mlw', appInsights: 'false', registryCredentials: 'adminUser' });
    assert.strictEqual(r.result, 'Succeeded', `${r.message}\n${r.stdout}`);
    assert.match(r.stdout, /generated for this run only \(no keyVault\)/);
    assert.match(r.stdout, /Application Insights: off \(appInsights is false\)/);
    const key = r.outputs.scoringKey;
    assert.match(key, /^[A-Za-z0-9_-]{43}$/);
    const newWrites = emu.armWrites().slice(writes);
    assert.deepStrictEqual(newWrites.map((w) => `${w.method} ${w.host}`), ['PUT management.localhost'], 'only the container group PUT');
    const put = JSON.parse(putsTo('churn-nokv')[0].body) as PutBody;
    assert.deepStrictEqual(put.properties.imageRegistryCredentials, [{ server: loginServer, username: registryUser, password: registryPassword }]);
    assert.strictEqual(put.identity, undefined);
    // the admin password the task obtained from ACR is registered with the agent before anything could print it (issue 15)
    assert.ok(r.commands.some((c) => c.name === 'task.setsecret' && c.message === registryPassword), 'the registry password is masked');
    assert.match(r.stdout, /registry credentials: admin user of registry '.*' \(registryCredentials 'adminUser'\)/);
    const env = put.properties.containers[0].properties.environmentVariables;
    assert.ok(!env.some((e) => e.name === 'APPLICATIONINSIGHTS_CONNECTION_STRING'));
    assertNoSecretsLeaked(r, [...allSecrets(), key]);
  });

  it('deploys privately into a subnet: IP address, no DNS label', async () => {
    const image = seedImage('private');
    const subnet = `/subscriptions/${emu.identities.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.Network/virtualNetworks/vnet/subnets/aci`;
    const r = await run({ containerGroupName: 'churn-private', imageUri: image.uri, subnetId: subnet, authEnabled: 'false' });
    assert.strictEqual(r.result, 'Succeeded', `${r.message}\n${r.stdout}`);
    assert.strictEqual(r.outputs.fqdn, '');
    assert.match(r.outputs.scoringUri, /^http:\/\/127\.\d+\.\d+\.\d+:5001\/score$/);
    assert.strictEqual(r.outputs.scoringKey, '');
    const body = JSON.parse(putsTo('churn-private')[0].body) as PutBody;
    assert.deepStrictEqual(body.properties.subnetIds, [{ id: subnet }]);
    assert.strictEqual(body.properties.ipAddress.type, 'Private');
    assert.strictEqual(body.properties.ipAddress.dnsNameLabel, undefined);
    assert.strictEqual((await score(r.outputs.scoringUri, undefined)).status, 200);
  });

  it('fails on an image pull failure and shows the container events', async () => {
    const r = await run({ containerGroupName: 'churn-nopull', imageUri: `${loginServer}/churn:does-not-exist`, authEnabled: 'false' });
    assert.strictEqual(r.result, 'Failed', r.stdout);
    assert.match(r.message ?? '', /Container group 'churn-nopull' did not start: provisioning failed: .*See the container's events and log above/);
    assert.match(r.stdout, /Events of container group 'churn-nopull':/);
    assert.match(r.stdout, /Pulling\s.*pulling image/);
    assert.match(r.stdout, /Failed to pull image ".*churn:does-not-exist": .*not found/);
    assert.match(r.stdout, /##\[group\]Log of container 'churn-nopull'/);
    assert.strictEqual(findContainerGroup(emu, 'rg-ml', 'churn-nopull')?.provisioningState, 'Failed');
    assert.strictEqual(r.outputs.scoringUri, undefined);
  });

  it('fails when the given registry credentials are wrong (401 in the pull event), without printing them', async () => {
    const image = seedImage('wrongcreds');
    const wrong = `wrong-${crypto.randomBytes(8).toString('hex')}`;
    const r = await run({ containerGroupName: 'churn-creds', imageUri: image.uri, registryCredentials: 'given', registryUsername: 'someone', registryPassword: wrong, authEnabled: 'false' }, { acrPassword: wrong });
    assert.strictEqual(r.result, 'Failed', r.stdout);
    assert.match(r.stdout, /Failed to pull image .*401 Unauthorized/);
    const body = JSON.parse(putsTo('churn-creds')[0].body) as PutBody;
    assert.deepStrictEqual(body.properties.imageRegistryCredentials, [{ server: loginServer, username: 'someone', password: wrong }]);
    assertNoSecretsLeaked(r, [...allSecrets(), wrong]);
  });

  it('fails on a crash loop, prints the log tail and neutralises ##vso commands in it', async () => {
    const image = seedImage('crash', 'score_crash.py');
    const r = await run({ containerGroupName: 'churn-crash', imageUri: image.uri, authEnabled: 'false' });
    assert.strictEqual(r.result, 'Failed', r.stdout);
    assert.match(r.message ?? '', /Container group 'churn-crash' did not start: the container keeps crashing/);
    assert.match(r.stdout, /BackOff\s.*Back-off restarting failed container/);
    // the state that ended the wait is printed before the events that explain it
    const failingState = r.stdout.search(/container group 'churn-crash': [^\n]*container (Waiting|Terminated)[^\n]*restart\(s\)/);
    assert.ok(failingState >= 0 && failingState < r.stdout.search(/BackOff\s.*Back-off restarting failed container/), r.stdout);
    assert.match(r.stdout, /RuntimeError: model file is corrupt/);
    assert.match(r.stdout, /init\(\) failed: the scoring server does not start/);
    assert.ok(!r.commands.some((c) => c.name === 'task.setvariable' && c.properties.variable === 'scoringUri'), 'the container log set a variable');
    assert.strictEqual(r.outputs.scoringUri, undefined);
  });

  it('stops at the readiness timeout and shows what the container was doing', async () => {
    aciControl(emu).holdPulling = true;
    const image = seedImage('slow');
    const r = await run({ containerGroupName: 'churn-slow', imageUri: image.uri, authEnabled: 'false', readinessTimeoutMinutes: '0.05' });
    assert.strictEqual(r.result, 'Failed', r.stdout);
    assert.match(r.message ?? '', /Timed out after 3s waiting for container group 'churn-slow' \(last state: provisioning Pending.*\)\. Raise the input 'readinessTimeoutMinutes'/);
    assert.match(r.stdout, /Pulling\s.*pulling image/);
  });

  it('serves HTTPS with the certificate from Key Vault (the container really runs TLS); the label gets TenantReuse', async () => {
    const image = seedImage('tls');
    // the emulator's own server certificate names *.eastus.azurecontainer.localhost: key + chain as Key Vault stores PEM
    const pem = `${fs.readFileSync(emu.keyFile, 'utf8')}${fs.readFileSync(emu.certFile, 'utf8')}`;
    emu.state.setSecret('kv-test', 'scoring-tls', pem);
    const r = await run({ containerGroupName: 'churn-tls', imageUri: image.uri, imageDigest: image.digest, keyVault: 'kv-test', tlsCertificateSecret: 'scoring-tls' });
    assert.strictEqual(r.result, 'Succeeded', `${r.message}\n${r.stdout}`);
    assert.match(r.outputs.scoringUri, /^https:\/\/churn-tls\.eastus\.azurecontainer\.localhost:5001\/score$/);
    const body = JSON.parse(putsTo('churn-tls')[0].body) as PutBody & { properties: { ipAddress: { autoGeneratedDomainNameLabelScope?: string } } };
    assert.strictEqual(body.properties.ipAddress.autoGeneratedDomainNameLabelScope, 'TenantReuse');
    const env = body.properties.containers[0].properties.environmentVariables;
    assert.deepStrictEqual(env.find((e) => e.name === 'SCORING_TLS_PEM'), { name: 'SCORING_TLS_PEM', secureValue: pem.replace(/\r\n?/g, '\n').trim() + '\n' });
    assert.ok(!r.issues.some((i) => i.type === 'warning' && /plain HTTP/.test(i.message)), 'no clear-text warning with TLS');
    assert.match(r.stdout, /TLS: on, certificate from Key Vault secret 'scoring-tls'/);
    // a real TLS handshake with the container (trusting the emulator CA), the key required over it
    const u = new URL(r.outputs.scoringUri);
    const hosts = JSON.parse(fs.readFileSync(bed.hostsFile, 'utf8')) as Record<string, string>;
    const call = (key?: string): Promise<number> => new Promise((resolve, reject) => {
      const req = https.request({ host: hosts[u.hostname], servername: u.hostname, port: Number(u.port), path: '/score', method: 'POST', ca: emu.caPem,
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ data: [[1, 2]] }));
    });
    assert.strictEqual(await call(r.outputs.scoringKey), 200);
    assert.strictEqual(await call(), 401);
    await assert.rejects(score(`http://${u.host}/score`, r.outputs.scoringKey), 'plain HTTP is not served');
    assertNoSecretsLeaked(r, [...allSecrets(), ...pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))]);
  });

  it('warns in one line when the scoring key goes over plain HTTP to a public address; refuses a PFX certificate before any write', async () => {
    const image = seedImage('plain');
    const r = await run({ containerGroupName: 'churn-plain', imageUri: image.uri, dnsNameLabelScope: 'Noreuse' });
    assert.strictEqual(r.result, 'Succeeded', `${r.message}\n${r.stdout}`);
    const warnings = r.issues.filter((i) => i.type === 'warning' && /plain HTTP/.test(i.message));
    assert.strictEqual(warnings.length, 1);
    assert.match(warnings[0].message, /^The scoring key is sent over plain HTTP to a public address \(churn-plain\.eastus\.azurecontainer\.localhost\): .*Set tlsCertificateSecret/);
    assert.strictEqual((JSON.parse(putsTo('churn-plain')[0].body) as { properties: { ipAddress: { autoGeneratedDomainNameLabelScope?: string } } }).properties.ipAddress.autoGeneratedDomainNameLabelScope, 'Noreuse');

    emu.state.setSecret('kv-test', 'scoring-pfx', crypto.randomBytes(600).toString('base64'));
    const writes = emu.armWrites().length;
    const pfx = await run({ containerGroupName: 'churn-pfx', imageUri: image.uri, keyVault: 'kv-test', tlsCertificateSecret: 'scoring-pfx', authEnabled: 'false' });
    assert.strictEqual(pfx.result, 'Failed', pfx.stdout);
    assert.match(pfx.message ?? '', /^Key Vault secret 'scoring-pfx' \(input 'tlsCertificateSecret'\) is not PEM \(it looks like a PKCS#12\/PFX certificate\)/);
    assert.strictEqual(emu.armWrites().length, writes);
  });

  it('a status poll that never answers cannot hold the task past readinessTimeoutMinutes', async () => {
    const image = seedImage('hung');
    const hang = emu.faults.inject({ host: /^management\.localhost$/, method: 'GET', path: /operationStatuses/, kind: 'hang', times: 1 });
    const started = Date.now();
    const r = await run({ containerGroupName: 'churn-hung', imageUri: image.uri, authEnabled: 'false', readinessTimeoutMinutes: '0.05' });
    assert.strictEqual(hang.hits, 1, 'the poll reached the hung route');
    assert.strictEqual(r.result, 'Failed', r.stdout);
    assert.match(r.message ?? '', /Timed out after 3s waiting for container group 'churn-hung'.*Raise the input 'readinessTimeoutMinutes'/);
    // 3 s of timeout plus the last poll's grace, the diagnostics and the process start: far from the 2 minutes of
    // the per-request limit
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
  });

  it('rides out 429 and 503 answers during the long-running operation', async () => {
    aciControl(emu).provisioningPolls = 2;
    const image = seedImage('throttled');
    const throttle = emu.faults.inject({ host: /^management\.localhost$/, path: /operationStatuses/, kind: 'throttle', times: 2, retryAfterSeconds: 1 });
    const unavailable = emu.faults.inject({ host: /^management\.localhost$/, method: 'GET', path: /containerGroups\/churn-throttled$/i, kind: 'unavailable', times: 1, retryAfterSeconds: 1 });
    const r = await run({ containerGroupName: 'churn-throttled', imageUri: image.uri, authEnabled: 'false' });
    assert.strictEqual(r.result, 'Succeeded', `${r.message}\n${r.stdout}`);
    assert.strictEqual(throttle.hits, 2);
    assert.strictEqual(unavailable.hits, 1);
    assert.ok(emu.requests.some((q) => q.status === 429 && /operationStatuses/.test(q.path)));
    assert.strictEqual(putsTo('churn-throttled').length, 1, 'the PUT is not repeated');
    assert.strictEqual(findContainerGroup(emu, 'rg-ml', 'churn-throttled')?.container.current.state, 'Running');
  });

  describe('pulling with a managed identity (the default)', () => {
    let locked: { name: string; server: string; id: string };
    const seedLocked = (tag: string): string => {
      const base = seedImage(`locked-${tag}`);
      const rec = images(emu).get(base.uri)!;
      const uri = `${locked.server}/churn:${tag}`;
      images(emu).set(uri, rec);
      return uri;
    };
    const writesSince = (n: number): string[] => emu.armWrites().slice(n).map((w) => `${w.method} ${w.path.replace(/^.*\/providers\//, '')}`);
    before(() => {
      const r = addRegistry(emu, { name: 'lockedacr', resourceGroup: 'rg-ml', adminUserEnabled: false });
      locked = { name: r.name, server: loginServerOf(emu, r.name), id: `/subscriptions/${emu.identities.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.ContainerRegistry/registries/lockedacr` };
    });
    afterEach(() => authorizationControl(emu).cannotAssignRoles.clear());

    it('deploys from a registry whose admin user is disabled: creates the identity, grants AcrPull, then reuses both', async () => {
      const uri = seedLocked('1');
      const writes = emu.armWrites().length;
      const requestsBefore = emu.requests.length;
      const r = await run({ containerGroupName: 'churn-mi', imageUri: uri, authEnabled: 'false' });
      assert.strictEqual(r.result, 'Succeeded', `${r.message}\n${r.stdout}`);
      const identity = identityById(emu, `/subscriptions/${emu.identities.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.ManagedIdentity/userAssignedIdentities/acrpull-lockedacr`);
      assert.ok(identity, 'the identity exists');
      const grants = [...roleAssignments(emu).values()].filter((a) => a.principalId === identity.principalId);
      assert.deepStrictEqual(grants.map((a) => [a.role, a.scope, a.principalType]), [[ROLES.AcrPull, locked.id, 'ServicePrincipal']]);
      // identity, role assignment, group: in that order (ACI pulls as soon as it accepts the group)
      const w = writesSince(writes);
      assert.deepStrictEqual(w.map((x) => x.replace(/roleAssignments\/[-0-9a-f]+$/, 'roleAssignments/<guid>')), [
        'PUT Microsoft.ManagedIdentity/userAssignedIdentities/acrpull-lockedacr',
        'PUT Microsoft.Authorization/roleAssignments/<guid>',
        'PUT Microsoft.ContainerInstance/containerGroups/churn-mi',
      ]);
      assert.match(r.stdout, /Created managed identity 'acrpull-lockedacr' in resource group 'rg-ml'\./);
      assert.match(r.stdout, /Granted AcrPull on container registry 'lockedacr' to managed identity 'acrpull-lockedacr'\./);
      assert.match(r.stdout, /registry credentials: managed identity 'acrpull-lockedacr' \(AcrPull on registry 'lockedacr', created by this run\)/);
      assert.strictEqual(findContainerGroup(emu, 'rg-ml', 'churn-mi')?.container.current.state, 'Running');
      assert.ok(!emu.requests.slice(requestsBefore).some((q) => /\/listCredentials$/.test(q.path)), 'no admin credentials read');

      const again = emu.armWrites().length;
      const second = await run({ containerGroupName: 'churn-mi2', imageUri: uri, authEnabled: 'false' });
      assert.strictEqual(second.result, 'Succeeded', `${second.message}\n${second.stdout}`);
      assert.deepStrictEqual(writesSince(again), ['PUT Microsoft.ContainerInstance/containerGroups/churn-mi2'], 'identity and role reused');
      assertNoSecretsLeaked(second, allSecrets());
    });

    it('a connection that may not assign roles: one line saying who grants AcrPull, no container group; works once an owner granted it', async () => {
      const uri = seedLocked('2');
      const given = addIdentity(emu, { name: 'id-scoring-pull', resourceGroup: 'rg-ml' });
      authorizationControl(emu).cannotAssignRoles.add(emu.identities.spnSecret.objectId.toLowerCase());
      const r = await run({ containerGroupName: 'churn-mi-denied', imageUri: uri, authEnabled: 'false', pullIdentity: 'id-scoring-pull' });
      assert.strictEqual(r.result, 'Failed', r.stdout);
      assert.match(r.message ?? '', new RegExp(`^The service connection may not grant roles on container registry 'lockedacr' \\(403 AuthorizationFailed.*az role assignment create --assignee-object-id ${given.principalId} .*--role AcrPull --scope ${locked.id.replace(/[.]/g, '\\.')}\\).*registryCredentials to 'adminUser'\\.$`));
      assert.ok(!(r.message ?? '').includes('\n'));
      assert.strictEqual(putsTo('churn-mi-denied').length, 0);
      // an owner grants it once: the same connection now deploys, reading the assignment and writing none
      grantRole(emu, { scope: locked.id, role: ROLES.AcrPull, principalId: given.principalId });
      const writes = emu.armWrites().length;
      const ok = await run({ containerGroupName: 'churn-mi-denied', imageUri: uri, authEnabled: 'false', pullIdentity: given.id });
      assert.strictEqual(ok.result, 'Succeeded', `${ok.message}\n${ok.stdout}`);
      assert.deepStrictEqual(writesSince(writes), ['PUT Microsoft.ContainerInstance/containerGroups/churn-mi-denied']);
      assert.deepStrictEqual((JSON.parse(putsTo('churn-mi-denied')[0].body) as PutBody).properties.imageRegistryCredentials, [{ server: locked.server, identity: given.id }]);
    });

    it('a new AcrPull not yet applied (RBAC delay): the refused pull is retried after a wait, once the grant applies', async () => {
      const slow = addRegistry(emu, { name: 'slowrbacacr', resourceGroup: 'rg-ml', adminUserEnabled: false });
      const base = seedImage('rbac');
      const uri = `${loginServerOf(emu, slow.name)}/churn:1`;
      images(emu).set(uri, images(emu).get(base.uri)!);
      authorizationControl(emu).propagationMs = 5_000;
      try {
        const r = await run({ containerGroupName: 'churn-rbac', imageUri: uri, authEnabled: 'false' });
        assert.strictEqual(r.result, 'Succeeded', `${r.message}\n${r.stdout}`);
        assert.match(r.stdout, /The pull was refused, and the AcrPull this run granted can take minutes to reach registry 'slowrbacacr': deploying again in 15 s\./);
        assert.match(r.stdout, /Failed to pull image .*401 Unauthorized/);
        assert.strictEqual(putsTo('churn-rbac').length, 2, 'deployed again once');
        assert.strictEqual(findContainerGroup(emu, 'rg-ml', 'churn-rbac')?.container.current.state, 'Running');
      } finally {
        authorizationControl(emu).propagationMs = 0;
      }
    });

    it('a refused pull without a grant of this run fails at once (no waiting for nothing)', async () => {
      const uri = seedLocked('norbac');
      const given = addIdentity(emu, { name: 'id-no-role', resourceGroup: 'rg-ml' });
      // listed as granted (so nothing is granted now), but not effective: the pull is refused
      const a = grantRole(emu, { scope: locked.id, role: ROLES.AcrPull, principalId: given.principalId });
      a.effectiveAt = Date.now() + 3_600_000;
      const r = await run({ containerGroupName: 'churn-norbac', imageUri: uri, authEnabled: 'false', pullIdentity: 'id-no-role' });
      assert.strictEqual(r.result, 'Failed', r.stdout);
      assert.match(r.message ?? '', /^Container group 'churn-norbac' did not start: provisioning failed/);
      assert.doesNotMatch(r.stdout, /deploying again/);
      assert.strictEqual(putsTo('churn-norbac').length, 1);
    });

    it("explains how to fix a disabled admin user when adminUser is asked, before any write", async () => {
      const writes = emu.armWrites().length;
      const r = await run({ containerGroupName: 'churn-locked', imageUri: seedLocked('3'), authEnabled: 'false', registryCredentials: 'adminUser' });
      assert.strictEqual(r.result, 'Failed', r.stdout);
      assert.match(r.message ?? '', /The admin user of container registry 'lockedacr' .* is disabled.*Fix: set registryCredentials to 'managedIdentity' \(the default\).*az acr update --name lockedacr --admin-enabled true.*registryCredentials to 'given'/);
      assert.strictEqual(emu.armWrites().length, writes);
    });
  });

  describe('bad inputs fail before any write', () => {
    const cases: { title: string; inputs: Record<string, string>; message: RegExp }[] = [
      { title: 'invalid container group name', inputs: { containerGroupName: 'Churn_Prod' }, message: /^Input 'containerGroupName': 'Churn_Prod' is not a valid container group name\. Expected 1-63 lower-case letters/ },
      { title: 'cpu out of range', inputs: { cpu: '8' }, message: /^Input 'cpu': 8 is out of range\. Expected a number from 0\.1 to 4\.$/ },
      { title: 'memory out of range', inputs: { memoryGb: '64' }, message: /^Input 'memoryGb': 64 is out of range\. Expected a number from 0\.1 to 16\.$/ },
      { title: 'malformed environment line', inputs: { environmentVariables: 'MODE=prod\nDEBUG' }, message: /^Input 'environmentVariables': line 2 'DEBUG' has no '='/ },
      { title: 'bad DNS name label', inputs: { dnsNameLabel: 'My_Label' }, message: /^Input 'dnsNameLabel': 'My_Label' is not a valid DNS name label\. Expected 5-63/ },
      { title: 'unknown Key Vault secret', inputs: { keyVault: 'kv-test', secretEnvironmentVariables: 'API_KEY=no-such-secret' }, message: /^Input 'secretEnvironmentVariables': API_KEY: the secret 'no-such-secret' does not exist in Key Vault https:\/\/kv-test\.vault\.localhost:\d+/ },
      { title: 'location the group cannot move to', inputs: { containerGroupName: 'churn-prod', location: 'westeurope' }, message: /^Input 'location': container group 'churn-prod' already exists in 'eastus'/ },
      { title: 'pullIdentity that is no identity', inputs: { pullIdentity: 'my identity' }, message: /^Input 'pullIdentity': 'my identity' is neither a user-assigned identity name nor its resource id\. Expected / },
      { title: 'pullIdentity with adminUser', inputs: { pullIdentity: 'id-pull', registryCredentials: 'adminUser' }, message: /^Input 'pullIdentity': is set but registryCredentials is 'adminUser'/ },
      { title: 'pullIdentity that does not exist', inputs: { pullIdentity: 'no-such-identity' }, message: /^Input 'pullIdentity': the user-assigned managed identity 'no-such-identity' does not exist in resource group 'rg-ml'\. Expected / },
      { title: 'unknown registryCredentials', inputs: { registryCredentials: 'token' }, message: /^Input 'registryCredentials': 'token' is not supported\. Expected one of 'managedIdentity', 'adminUser', 'given', 'none', 'automatic'\.$/ },
    ];
    for (const c of cases) {
      it(c.title, async () => {
        const writes = emu.armWrites().length;
        const r = await run({ containerGroupName: 'churn-bad', imageUri: `${loginServer}/churn:1`, ...c.inputs });
        assert.strictEqual(r.result, 'Failed', r.stdout);
        assert.match(r.message ?? '', c.message);
        assert.ok(!(r.message ?? '').includes('\n'));
        assert.deepStrictEqual(emu.armWrites().slice(writes).map((w) => `${w.method} ${w.path}`), []);
        assert.ok(!r.stdout.split('\n').some((l) => !l.startsWith('##vso[task.debug]') && /^\s+at /.test(l)), 'no stack trace outside debug lines');
      });
    }
  });
});
