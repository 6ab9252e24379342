// The harness: DNS preload, Azurite behind production-style host names, runTask's agent environment
// and ##vso parsing, cancellation, and the secret leak check.
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { DEFAULTS } from '../emulator';
import { assertNoSecretsLeaked, DNS_PRELOAD, parseVsoCommands, runTask, serviceConnectionEnv, variableEnvName } from './run-task';
import { startTestBed, type TestBed } from './testbed';

const execFileP = promisify(execFile);
const ROOT = path.resolve(path.dirname(DNS_PRELOAD), '..', '..');

function script(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, body);
  return file;
}

describe('harness', function () {
  this.timeout(60_000);
  let bed: TestBed;
  let dir: string;
  before(async () => {
    bed = await startTestBed();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-test-'));
  });
  after(async () => {
    await bed?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('dns-preload: *.localhost → 127.0.0.1, hosts file names, other names refused and logged', async () => {
    const log = path.join(dir, 'dns.log');
    bed.addHost('scoring.example.test', '127.0.0.5');
    const code = `
      const dns = require('dns');
      const q = (h) => new Promise((r) => dns.lookup(h, { all: true }, (e, a) => r(e ? e.code : a.map((x) => x.address).join(','))));
      (async () => {
        const out = [await q('kv1.vault.localhost'), await q('management.localhost'), await q('scoring.example.test'),
          await q('login.microsoftonline.com'), await q('127.0.0.9'), (await dns.promises.lookup('x.blob.localhost')).address];
        console.log(JSON.stringify(out));
      })();`;
    const { stdout } = await execFileP(process.execPath, ['-r', DNS_PRELOAD, '-e', code], { env: { ...process.env, AZ_EMU_DNS_LOG: log, AZ_EMU_HOSTS_FILE: bed.hostsFile } });
    assert.deepStrictEqual(JSON.parse(stdout), ['127.0.0.1', '127.0.0.1', '127.0.0.5', 'ENOTFOUND', '127.0.0.9', '127.0.0.1']);
    assert.deepStrictEqual(fs.readFileSync(log, 'utf8').trim().split('\n'), ['login.microsoftonline.com']);
  });

  it('Azurite answers at https://devstoreaccount1.blob.localhost:<port> in a child process (DNS preload + CA)', async () => {
    const container = bed.emulator.state.getWorkspace(DEFAULTS.resourceGroup, DEFAULTS.workspace)!.datastores.get('workspaceblobstore')!.containerName;
    const url = `${bed.azurite.blobUrl()}/${container}`;
    const code = `
      const { ContainerClient, StorageSharedKeyCredential } = require('@azure/storage-blob');
      const c = new ContainerClient(${JSON.stringify(url)}, new StorageSharedKeyCredential('devstoreaccount1', ${JSON.stringify(bed.azurite.accountKey)}));
      c.getBlockBlobClient('hello.txt').upload('hi', 2).then(() => console.log('uploaded'), (e) => { console.error(e.message); process.exit(1); });`;
    const { stdout } = await execFileP(process.execPath, ['-r', DNS_PRELOAD, '-e', code], { cwd: ROOT, env: { ...process.env, NODE_EXTRA_CA_CERTS: bed.emulator.caFile } });
    assert.match(stdout, /uploaded/);
    const body = await bed.container(container).getBlockBlobClient('hello.txt').downloadToBuffer();
    assert.strictEqual(body.toString(), 'hi');
    assert.strictEqual(bed.emulator.state.storage.endpoint, `localhost:${bed.azurite.port}`);
  });

  it('variableEnvName and parseVsoCommands follow the agent rules', () => {
    assert.strictEqual(variableEnvName('Build.BuildId'), 'BUILD_BUILDID');
    assert.strictEqual(variableEnvName('my var.x'), 'MY_VAR_X');
    const [c] = parseVsoCommands('##vso[task.setvariable variable=a%3Bb;isOutput=true]line1%0Aline2%AZP25');
    assert.strictEqual(c.name, 'task.setvariable');
    assert.deepStrictEqual(c.properties, { variable: 'a;b', isOutput: 'true' });
    assert.strictEqual(c.message, 'line1\nline2%');
  });

  it('runTask sets the agent environment and collects result, outputs, secrets, issues, summaries', async () => {
    const conn = serviceConnectionEnv(bed.emulator, 'spnKey', { id: 'Conn-1' });
    const taskLib = require.resolve('azure-pipelines-task-lib/task', { paths: [ROOT] });
    const file = script(dir, 'task.js', `
      const tl = require(${JSON.stringify(taskLib)});
      const fs = require('fs'); const path = require('path');
      const conn = tl.getInput('azureSubscription', true);
      const key = tl.getEndpointAuthorizationParameter(conn, 'serviceprincipalkey', false);
      tl.setSecret('derived-' + key.slice(0, 8));
      console.log('model=' + tl.getInput('modelName') + ' env=' + tl.getEndpointDataParameter(conn, 'environment') + ' sub=' + tl.getEndpointDataParameter(conn, 'subscriptionId'));
      console.log('build=' + tl.getVariable('Build.BuildId') + ' custom=' + tl.getVariable('My.Var') + ' ca=' + tl.getVariable('Agent.CAInfo'));
      console.log('oidc=' + tl.getVariable('System.OidcRequestUri') + ' token=' + (tl.getEndpointAuthorizationParameter('SYSTEMVSSCONNECTION', 'ACCESSTOKEN', false) ? 'yes' : 'no'));
      console.log('extraCa=' + (process.env.NODE_EXTRA_CA_CERTS || 'unset') + ' cwd=' + process.cwd());
      tl.setVariable('jobName', 'job-1', false, true);
      tl.setVariable('scoringKey', 'sk-very-secret', true, true);
      tl.warning('careful');
      const summary = path.join(tl.getVariable('Agent.TempDirectory'), 'summary.md');
      fs.writeFileSync(summary, '# Summary\\n| a | b |');
      tl.uploadSummary(summary);
      tl.setResult(tl.TaskResult.SucceededWithIssues, 'done with warnings');
    `);
    const run = await runTask(file, { inputs: { azureSubscription: conn.id, modelName: 'm1' }, connection: conn, variables: { 'My.Var': 'v' }, timeoutMs: 20_000 });
    assert.strictEqual(run.exitCode, 0, run.stderr);
    assert.strictEqual(run.result, 'SucceededWithIssues');
    assert.strictEqual(run.message, 'done with warnings');
    assert.match(run.stdout, /model=m1 env=AzureCloud sub=[-0-9a-f]{36}/);
    assert.ok(run.stdout.includes(`build=1234 custom=v ca=${bed.emulator.caFile}`));
    assert.ok(run.stdout.includes(`oidc=${bed.emulator.urls.oidcRequestUri} token=yes`));
    assert.match(run.stdout, /extraCa=unset cwd=.*\/_work\/1\/s/);
    assert.deepStrictEqual(run.outputs, { jobName: 'job-1', scoringKey: 'sk-very-secret' });
    assert.ok(run.secrets.includes('sk-very-secret'));
    assert.ok(run.secrets.some((s) => s.startsWith('derived-')));
    assert.deepStrictEqual(run.issues.map((i) => [i.type, i.message]), [['warning', 'careful'], ['warning', 'done with warnings']]);
    assert.deepStrictEqual(run.summaries, ['# Summary\n| a | b |']);
    assert.strictEqual(run.env[`ENDPOINT_AUTH_PARAMETER_Conn-1_SERVICEPRINCIPALID`], bed.emulator.identities.spnSecret.clientId);
    assert.strictEqual(run.env.INPUT_MODELNAME, 'm1');
    assertNoSecretsLeaked(run, [...conn.secrets, 'sk-very-secret']);
    // task-lib prints endpoint auth parameters in debug lines: only the agent's own masking hides them
    assert.throws(() => assertNoSecretsLeaked(run, conn.secrets, { strict: true }), /task\.debug/);
  });

  it('assertNoSecretsLeaked catches a secret in output, in a summary and in a written file', async () => {
    const file = script(dir, 'leak.js', `
      const fs = require('fs'); const path = require('path');
      console.log('##vso[task.setsecret]hunter22');
      console.log('the password is hunter22');
      fs.writeFileSync(path.join(process.env.AGENT_TEMPDIRECTORY, 'notes.txt'), 'pw=hunter22');
      console.log('##vso[task.complete result=Succeeded;]ok');
    `);
    const run = await runTask(file, { inputs: {}, timeoutMs: 20_000 });
    assert.strictEqual(run.result, 'Succeeded');
    assert.throws(() => assertNoSecretsLeaked(run, ['hunter22']), (e: Error) => /stdout line 2/.test(e.message) && /notes\.txt/.test(e.message));
    assert.throws(() => assertNoSecretsLeaked(run, ['hunter22'], { agentMasking: true }), /notes\.txt/);
  });

  it('signal: SIGINT when stdout matches, then the task reports Cancelled', async () => {
    const file = script(dir, 'cancel.js', `
      process.on('SIGINT', () => { console.log('cleaning up'); console.log('##vso[task.complete result=Cancelled;]cancelled by the pipeline'); process.exit(0); });
      console.log('waiting for job');
      setInterval(() => {}, 1000);
    `);
    const run = await runTask(file, { inputs: {}, signal: { name: 'SIGINT', whenStdoutMatches: /waiting for job/ }, timeoutMs: 20_000 });
    assert.strictEqual(run.result, 'Cancelled');
    assert.match(run.stdout, /cleaning up/);
    assert.ok(run.durationMs < 7000);
  });

  it('signal: SIGINT once the `when` promise resolves (not before)', async () => {
    const file = script(dir, 'cancel-when.js', `
      process.on('SIGINT', () => { console.log('##vso[task.complete result=Cancelled;]cancelled by the pipeline'); process.exit(0); });
      console.log('ready');
      setInterval(() => {}, 1000);
    `);
    let sentAt = 0;
    const when = new Promise<void>((resolve) => setTimeout(() => { sentAt = Date.now(); resolve(); }, 1500));
    const started = Date.now();
    const run = await runTask(file, { inputs: {}, signal: { name: 'SIGINT', when }, timeoutMs: 20_000 });
    assert.strictEqual(run.result, 'Cancelled');
    assert.ok(sentAt > 0 && Date.now() - started >= 1500, 'the signal waited for the promise');
  });

  it('timeoutMs kills a hung task', async () => {
    const file = script(dir, 'hang.js', 'setInterval(() => {}, 1000);');
    const run = await runTask(file, { inputs: {}, timeoutMs: 500 });
    assert.ok(run.timedOut);
    assert.strictEqual(run.signal, 'SIGKILL');
    assert.strictEqual(run.result, undefined);
  });
});
