// The shared library, bundled as a task is, run as a child process against the emulator for every
// connection scheme, a US Government connection, Key Vault by name and URI, and injected 429/503.
import * as assert from 'assert';
import { build } from 'esbuild';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULTS } from '../emulator';
import { assertNoSecretsLeaked, DNS_PRELOAD, runTask, serviceConnectionEnv, type ConnectionScheme, type TaskRun } from '../harness/run-task';
import { startTestBed, type TestBed } from '../harness/testbed';

const ROOT = path.resolve(path.dirname(DNS_PRELOAD), '..', '..');

describe('integration: shared library bundled and run as a task', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let dir: string;
  let probe: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shared-probe-'));
    probe = path.join(dir, 'index.js');
    const [b] = await Promise.all([
      startTestBed(),
      build({
        entryPoints: [path.join(ROOT, 'test', 'integration', 'probe', 'shared-probe.ts')], bundle: true, platform: 'node',
        target: 'node20', format: 'cjs', outfile: probe, logLevel: 'error',
        // ESM builds of some Azure packages (storage-common's crc64) call createRequire(import.meta.url),
        // which is empty in a CJS bundle: give import.meta.url the bundle's own file URL.
        define: { 'import.meta.url': '__bundleFileUrl' },
        banner: { js: 'const __bundleFileUrl = require("url").pathToFileURL(__filename).href;' },
      }),
    ]);
    bed = b;
  });
  after(async () => {
    await bed?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => bed.emulator.faults.clear());

  const explain = (run: TaskRun): string => `result=${run.result} message=${run.message}\n${run.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.debug]')).join('\n')}\n${run.stderr}`;

  for (const scheme of ['spnKey', 'spnCertificate', 'wif', 'msi'] as ConnectionScheme[]) {
    it(`${scheme}: obtains a token from the fake Entra ID and reads a resource group`, async () => {
      const emu = bed.emulator;
      const conn = serviceConnectionEnv(emu, scheme);
      const before = emu.requests.length;
      const run = await runTask(probe, { inputs: { azureSubscription: conn.id, action: 'arm', resourceGroup: DEFAULTS.resourceGroup }, connection: conn, timeoutMs: 60_000 });
      assert.strictEqual(run.result, 'Succeeded', explain(run));
      assert.strictEqual(run.outputs.rgLocation, 'eastus');
      assert.deepStrictEqual(run.dnsLog, []);
      assert.strictEqual(run.env.NODE_EXTRA_CA_CERTS, undefined, 'the CA reaches the task only as Agent.CAInfo');
      const mine = emu.requests.slice(before);
      const tokenReq = mine.find((r) => (r.host === 'login.localhost' && r.path.endsWith('/token')) || r.host === 'imds');
      assert.ok(tokenReq, 'a token was requested');
      if (scheme === 'wif') assert.ok(mine.some((r) => r.host === 'dev.azure.localhost' && r.path.endsWith('/oidctoken') && r.status === 200), 'the OIDC route was used');
      if (scheme === 'msi') assert.strictEqual(tokenReq.host, 'imds');
      if (scheme === 'spnCertificate') assert.match(tokenReq.body, /client_assertion=/);
      assert.ok(mine.some((r) => r.path.toLowerCase().endsWith(`/resourcegroups/${DEFAULTS.resourceGroup}`) && r.status === 200));
      assertNoSecretsLeaked(run, conn.secrets);
    });
  }

  it('a US Government connection with only *.localhost URLs works and contacts no public host', async () => {
    const emu = bed.emulator;
    const conn = serviceConnectionEnv(emu, 'spnKey', { cloud: 'AzureUSGovernment', id: 'gov-conn' });
    for (const [k, v] of Object.entries(conn.env)) {
      for (const url of v.match(/https?:\/\/[^\s"',]+/g) ?? []) {
        // resource ids are token audiences, never contacted; the JSON blobs repeat the per-key values
        if (/SERVICEENDPOINTRESOURCEID$/i.test(k) || /_AUTH_/.test(k) || k === `ENDPOINT_DATA_${conn.id}`) continue;
        assert.match(new URL(url).hostname, /(^|\.)localhost$/, `${k}=${url}`);
      }
    }
    const arm = await runTask(probe, { inputs: { azureSubscription: conn.id, action: 'arm', resourceGroup: DEFAULTS.resourceGroup }, connection: conn, timeoutMs: 60_000 });
    assert.strictEqual(arm.result, 'Succeeded', explain(arm));
    assert.strictEqual(arm.outputs.cloud, 'AzureUSGovernment');
    assert.deepStrictEqual(arm.dnsLog, []);
    const kv = await runTask(probe, { inputs: { azureSubscription: conn.id, action: 'keyvault', keyVault: DEFAULTS.vault, secretName: DEFAULTS.scoringKeySecret }, connection: conn, timeoutMs: 60_000 });
    assert.strictEqual(kv.result, 'Succeeded', explain(kv));
    assert.deepStrictEqual(kv.dnsLog, []);
  });

  for (const form of ['name', 'uri'] as const) {
    it(`Key Vault by ${form}: the value is masked (setsecret) and absent from the output`, async () => {
      const emu = bed.emulator;
      const value = `kv-${form}-${Math.random().toString(36).slice(2)}-s3cr3t`;
      emu.state.setSecret(DEFAULTS.vault, 'db-password', value);
      const conn = serviceConnectionEnv(emu, 'wif');
      const vault = form === 'name' ? DEFAULTS.vault : `${emu.urls.keyVault(DEFAULTS.vault)}/`;
      const run = await runTask(probe, { inputs: { azureSubscription: conn.id, action: 'keyvault', keyVault: vault, secretName: 'db-password' }, connection: conn, timeoutMs: 60_000 });
      assert.strictEqual(run.result, 'Succeeded', explain(run));
      assert.strictEqual(run.outputs.secretLength, String(value.length));
      assert.ok(run.secrets.includes(value), 'the value went through ##vso[task.setsecret]');
      // the probe prints the value after getSecret masked it: the agent shows *** (agentMasking)
      assertNoSecretsLeaked(run, [value, ...conn.secrets], { agentMasking: true });
      assert.ok(emu.requests.some((r) => r.host === `${DEFAULTS.vault}.vault.localhost` && r.status === 401), 'the vault challenged first');
    });
  }

  it('429 and 503 injected on ARM: the task retries and still succeeds', async () => {
    const emu = bed.emulator;
    const conn = serviceConnectionEnv(emu, 'spnKey');
    emu.faults.inject({ host: /^management\.localhost$/, path: /\/resourcegroups\/rg-ml$/i, kind: 'throttle', retryAfterSeconds: 1 });
    emu.faults.inject({ host: /^management\.localhost$/, path: /\/resourcegroups\/rg-ml$/i, kind: 'unavailable', retryAfterSeconds: 0 });
    const before = emu.requests.length;
    const run = await runTask(probe, { inputs: { azureSubscription: conn.id, action: 'arm', resourceGroup: DEFAULTS.resourceGroup }, connection: conn, timeoutMs: 60_000 });
    assert.strictEqual(run.result, 'Succeeded', explain(run));
    const statuses = emu.requests.slice(before).filter((r) => /\/resourcegroups\/rg-ml$/i.test(r.path)).map((r) => r.status);
    assert.deepStrictEqual(statuses, [429, 503, 200]);
  });
});
