// The same deployment through Debian's azure-cli and through our task, against the emulator: wall time of
// `az container create` (+ reading the Key Vault secret the container gets) vs DeployToACI's bundle, which
// does both in one process (and also waits for the scoring endpoint to answer).
//
// How az reaches the emulator without touching the machine: `*.localhost` does not resolve through the
// system resolver, so each az runs in a private mount namespace (`unshare --mount`, needs root) where a temp
// hosts file is bind-mounted over /etc/hosts; AZURE_CONFIG_DIR is a temp dir, REQUESTS_CA_BUNDLE the
// emulator CA. azure-cli 2.45 gives MSAL (1.21) no way to skip instance discovery (identity.py passes
// only authority/token_cache/http_cache/allow_broker/client_capabilities; there is no env var or cloud
// setting), so MSAL asks https://login.microsoftonline.com/common/discovery/instance about login.localhost
// (at login) and fetches the authority aliases from there (at every silent token lookup), and fails
// offline. A sitecustomize.py on az's PYTHONPATH (temp dir, az only) makes MSAL's own
// `instance_discovery=False` the default of ClientApplication: no request to the public cloud at all.
import { spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addRegistry, images, loginServerOf } from '../../test/emulator/services/acr';
import { startTestBed } from '../../test/harness/testbed';
import { runTask, serviceConnectionEnv } from '../../test/harness/run-task';

const RUNS = 3;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

interface AzResult { code: number; stdout: string; stderr: string; ms: number }

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, cmd)));
}

/** Last meaningful line of az's stderr (tracebacks end with the exception). */
function lastError(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^To (check existing issues|open a new issue)/.test(l));
  const err = lines.filter((l) => /^(ERROR|\w+(Error|Exception)):/.test(l));
  return (err[err.length - 1] ?? lines[lines.length - 1] ?? '').slice(0, 300);
}

export async function benchAzCli(root: string): Promise<string[]> {
  if (!onPath('az')) return ['skipped: `az` is not on PATH (install Debian\'s azure-cli with `apt-get install -y azure-cli`, as root)'];
  if (!onPath('unshare')) return ['skipped: `unshare` (util-linux) is not on PATH; az needs a private /etc/hosts for the emulator\'s *.localhost names'];
  const probe = spawnSync('unshare', ['--mount', 'sh', '-c', 'mount --bind /etc/hosts /etc/hosts'], { encoding: 'utf8' });
  if (probe.status !== 0) return [`skipped: cannot make a private mount namespace for az's hosts file (needs root): ${(probe.stderr || probe.error?.message || '').trim()}`];

  // Retry-After 1 s on every long-running operation, for both clients: azure-core (Python) reads 0 as
  // "no hint" and would sleep its 30 s default, which measures the emulator, not az
  const bed = await startTestBed({ lroRetryAfterSeconds: 1 });
  const emu = bed.emulator;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'aml-bench-az-'));
  try {
    // An image in the emulator registry, seeded as tasks/DeployToACI/tests/integration.test.ts does.
    const ws = emu.state.getWorkspace('rg-ml', 'mlw');
    if (!ws?.containerRegistryName) throw new Error('the emulator has no workspace mlw with a registry');
    const acr = addRegistry(emu, { name: ws.containerRegistryName, resourceGroup: 'rg-ml' });
    const loginServer = loginServerOf(emu, acr.name);
    const ctx = path.join(work, 'image');
    fs.mkdirSync(path.join(ctx, 'scoring'), { recursive: true });
    fs.mkdirSync(path.join(ctx, 'model'));
    fs.copyFileSync(path.join(root, 'tasks', 'CreateImage', 'assets', 'server.py'), path.join(ctx, 'scoring', 'server.py'));
    fs.copyFileSync(path.join(root, 'tasks', 'DeployToACI', 'tests', 'fixtures', 'score.py'), path.join(ctx, 'scoring', 'score.py'));
    fs.copyFileSync(path.join(root, 'tasks', 'DeployToACI', 'tests', 'fixtures', 'model.txt'), path.join(ctx, 'model', 'model.txt'));
    const digest = `sha256:${crypto.createHash('sha256').update(ctx).digest('hex')}`;
    const image = `${loginServer}/churn:1`;
    images(emu).set(image, { digest, contextDir: ctx, labels: {} });
    images(emu).set(`${loginServer}/churn@${digest}`, { digest, contextDir: ctx, labels: {} });
    const apiKey = `api-${crypto.randomBytes(12).toString('hex')}`;
    emu.state.setSecret('kv-test', 'api-key', apiKey);
    const dbPassword = `db-${crypto.randomBytes(12).toString('hex')}`;

    // az's environment: private config dir, CA bundle, hosts file, the MSAL shim (see the header).
    const hosts = path.join(work, 'hosts');
    fs.writeFileSync(hosts, `127.0.0.1 localhost\n::1 localhost\n127.0.0.1 login.localhost management.localhost kv-test.vault.localhost ${acr.name}.azurecr.localhost\n`);
    const pyDir = path.join(work, 'py');
    fs.mkdirSync(pyDir);
    fs.writeFileSync(path.join(pyDir, 'sitecustomize.py'), [
      'import msal',
      '_init = msal.ClientApplication.__init__',
      'def _no_discovery(self, *args, **kwargs):',
      "    kwargs.setdefault('instance_discovery', False)",
      '    _init(self, *args, **kwargs)',
      'msal.ClientApplication.__init__ = _no_discovery',
      '',
    ].join('\n'));
    const azEnv = {
      ...process.env, AZURE_CONFIG_DIR: path.join(work, 'azure'), REQUESTS_CA_BUNDLE: emu.caFile, PYTHONPATH: pyDir,
      AZURE_CORE_COLLECT_TELEMETRY: 'false', AZURE_CORE_NO_COLOR: 'true', AZURE_CORE_ONLY_SHOW_ERRORS: 'true',
    };
    const az = (args: string[]): Promise<AzResult> => new Promise((resolve) => {
      const t = process.hrtime.bigint();
      const child = spawn('unshare', ['--mount', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec az "$@"', hosts, ...args], { env: azEnv });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr, ms: Number(process.hrtime.bigint() - t) / 1e6 }));
    });
    const must = async (what: string, args: string[]): Promise<AzResult> => {
      const r = await az(args);
      if (r.code !== 0) throw new Error(`az ${what} failed (exit ${r.code}): ${lastError(r.stderr)}`);
      return r;
    };

    const ids = emu.identities;
    const version = (await must('version', ['version', '-o', 'json'])).stdout;
    const azVersion = (JSON.parse(version) as Record<string, string>)['azure-cli'] ?? '?';
    await must('cloud register', ['cloud', 'register', '-n', 'EmuCloud',
      '--endpoint-resource-manager', `${emu.urls.arm}/`, '--endpoint-active-directory', emu.urls.authorityHost,
      // ARM accepts https://management.core.windows.net/ as audience; the graph id only stops az from
      // fetching <arm>/metadata/endpoints (the emulator has none).
      '--endpoint-active-directory-resource-id', 'https://management.core.windows.net/',
      '--endpoint-active-directory-graph-resource-id', 'https://graph.windows.net/',
      '--suffix-keyvault-dns', `.${emu.urls.keyVaultDnsSuffix}`]);
    await must('cloud set', ['cloud', 'set', '-n', 'EmuCloud']);
    const login = await must('login', ['login', '--service-principal', '-u', ids.spnSecret.clientId, '-p', ids.spnSecret.secret, '--tenant', ids.tenantId, '-o', 'none']);
    await must('account set', ['account', 'set', '-s', ids.subscriptionId]);

    // The secret read: `az keyvault secret show` if this az can run it, else `az rest` on the same URL
    // with the same login (Debian's 2.45 lacks the track-1 azure.keyvault SDK that command group loads).
    const lines: string[] = [];
    let secretArgs = ['keyvault', 'secret', 'show', '--vault-name', 'kv-test', '--name', 'api-key', '--query', 'value', '-o', 'tsv'];
    let secretLabel = 'az keyvault secret show';
    const tryShow = await az(secretArgs);
    if (tryShow.code !== 0 || tryShow.stdout.trim() !== apiKey) {
      lines.push(`note: \`az keyvault secret show\` does not work with this azure-cli ${azVersion}: ${tryShow.code !== 0 ? lastError(tryShow.stderr) : 'wrong value'}; the secret is read with \`az rest\` (same process start, login and token cache) instead`);
      secretArgs = ['rest', '--method', 'get', '--url', `${emu.urls.keyVault('kv-test')}/secrets/api-key?api-version=7.3`, '--resource', 'https://vault.azure.net', '--query', 'value', '-o', 'tsv'];
      secretLabel = 'az rest GET secret';
      const check = await must('rest (secret)', secretArgs);
      if (check.stdout.trim() !== apiKey) throw new Error('az rest returned the wrong secret value');
    }

    const azCreate = (name: string, secret: string): string[] => ['container', 'create', '-g', 'rg-ml', '-n', name, '--image', image,
      '--registry-login-server', loginServer, '--registry-username', acr.username, '--registry-password', acr.passwords[0],
      '--cpu', '1', '--memory', '1.5', '--ports', '5001', '--ip-address', 'Public', '--dns-name-label', `${name}-${crypto.randomBytes(3).toString('hex')}`,
      '--environment-variables', 'MODE=prod', '--secure-environment-variables', `DB_PASSWORD=${dbPassword}`, `API_KEY=${secret}`, '-o', 'none'];

    const conn = serviceConnectionEnv(emu, 'spnKey');
    const bundle = path.join(root, 'dist', 'tasks', 'DeployToACI', 'index.js');
    if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first`);
    const azSecret: number[] = [];
    const azContainer: number[] = [];
    const azTotal: number[] = [];
    const azSleep: number[] = [];
    const task: number[] = [];
    for (let i = 1; i <= RUNS; i++) {
      const s = await must(secretLabel, secretArgs);
      const before = emu.requests.length;
      const c = await must('container create', azCreate(`churn-az-${i}`, s.stdout.trim()));
      // az's longest idle gap between two of its requests (its LRO sleep), as the emulator recorded them.
      const times = emu.requests.slice(before).map((r) => r.time);
      if (times.length > 1) azSleep.push(Math.max(...times.slice(1).map((t, k) => t - times[k])));
      azSecret.push(s.ms);
      azContainer.push(c.ms);
      azTotal.push(s.ms + c.ms);
      const run = await runTask(bundle, {
        inputs: {
          azureSubscription: conn.id, resourceGroup: 'rg-ml', containerGroupName: `churn-task-${i}`, imageUri: image, imageDigest: digest,
          workspaceName: 'mlw', environmentVariables: 'MODE=prod', secureEnvironmentVariables: `DB_PASSWORD=${dbPassword}`,
          keyVault: 'kv-test', secretEnvironmentVariables: 'API_KEY=api-key', readinessTimeoutMinutes: '2',
        },
        secretVariables: { dbPassword },
        connection: conn,
        variables: { 'Build.BuildId': String(4300 + i), 'Build.BuildNumber': `20240101.${i}`, 'Build.DefinitionName': 'release-churn', 'System.TeamProject': 'ml-project' },
        timeoutMs: 100_000, cwd: root, emulator: emu,
      });
      if (run.result !== 'Succeeded') throw new Error(`DeployToACI failed: ${run.message ?? run.stderr.slice(-300)}`);
      task.push(run.durationMs);
    }

    lines.push(`azure-cli ${azVersion}; one-time setup not timed below: cloud register/set, \`az login --service-principal\` ${secs(login.ms)}`);
    lines.push(`${secretLabel} (process start → exit)                median of ${RUNS}: ${secs(median(azSecret))}`);
    lines.push(`az container create (LRO until Succeeded)              median of ${RUNS}: ${secs(median(azContainer))}`);
    if (azSleep.length) lines.push(`  of which its longest gap between two requests (LRO sleep) median of ${azSleep.length}: ${secs(median(azSleep))} (the emulator answers Retry-After: 1 here, and both clients honour it)`);
    lines.push(`az total: secret read + container create (2 processes)  median of ${RUNS}: ${secs(median(azTotal))}`);
    lines.push(`DeployToACI bundle (token, Key Vault read, ACR credentials, App Insights, create, wait until /score answers) median of ${RUNS}: ${secs(median(task))}  (×${(median(task) / median(azTotal)).toFixed(2)} of az)`);
    return lines;
  } finally {
    await bed.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
