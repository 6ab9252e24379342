// Runs a bundled task (dist/tasks/<Task>/index.js) as the Azure Pipelines agent does: a child
// process with INPUT_*, ENDPOINT_*, SYSTEM_*, BUILD_*, AGENT_* variables, then parses its ##vso commands.
import { spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { currentEmulator, type Emulator } from '../emulator';

export type ConnectionScheme = 'spnKey' | 'spnCertificate' | 'wif' | 'msi';
export type CloudName = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud' | 'custom';

export interface ServiceConnectionEnv {
  id: string;
  scheme: ConnectionScheme;
  cloud: CloudName;
  /** ENDPOINT_* variables of this connection. */
  env: Record<string, string>;
  /** Secrets this connection carries (for assertNoSecretsLeaked). */
  secrets: string[];
  emulator: Emulator;
}

export interface VsoCommand {
  /** 'task.setvariable', 'task.complete', ... */
  name: string;
  properties: Record<string, string>;
  message: string;
  /** 'stdout' | 'stderr' */
  stream: string;
}

export interface TaskIssue { type: string; message: string; properties: Record<string, string> }
export interface TaskAttachment { type: string; name: string; path: string; content?: string }

export interface TaskRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  result?: 'Succeeded' | 'SucceededWithIssues' | 'Failed' | 'Cancelled' | 'Skipped';
  message?: string;
  outputs: Record<string, string>;
  variables: Record<string, string>;
  secrets: string[];
  issues: TaskIssue[];
  /** Contents of the files named by task.uploadsummary (and Summary attachments). */
  summaries: string[];
  summaryFiles: string[];
  attachments: TaskAttachment[];
  commands: VsoCommand[];
  /** The run's fresh agent directory (temp, tools, work); kept until the process exits. */
  tempDir: string;
  /** Host names the DNS preload refused (public names the task tried to reach). */
  dnsLog: string[];
  /** Environment the task was started with. */
  env: Record<string, string>;
  /**
   * Values the agent itself masks in the log from the start (connection auth parameters, secret
   * variables): task-lib prints them in debug lines, the agent shows ***.
   */
  agentMaskedSecrets: string[];
  /**
   * Variables the task tried to set outside its task.json `restrictions.settableVariables.allowed`: the agent
   * ignores them (with a warning), so they are not in `variables`/`outputs` either.
   */
  refusedVariables: string[];
}

export interface RunTaskOptions {
  inputs: Record<string, string>;
  connection?: ServiceConnectionEnv;
  /** Extra connections (e.g. a second subscription). */
  connections?: ServiceConnectionEnv[];
  /** Pipeline variables: 'Build.BuildId' → BUILD_BUILDID. */
  variables?: Record<string, string>;
  /** Secret pipeline variables: arrive as SECRET_<NAME> (task-lib moves them into its vault). */
  secretVariables?: Record<string, string>;
  /** Raw environment overrides (undefined removes a variable). */
  env?: Record<string, string | undefined>;
  /** `when`: sent once the promise resolves (e.g. once the emulator holds a slowed request: a cancel mid-request). */
  signal?: { name: 'SIGINT' | 'SIGTERM'; afterMs?: number; whenStdoutMatches?: RegExp; when?: Promise<unknown> };
  timeoutMs?: number;
  cwd?: string;
  emulator?: Emulator;
  /** JSON host map for the DNS preload (default: <emulator dir>/hosts.json when it exists). */
  hostsFile?: string;
  /** Trust the CA through NODE_EXTRA_CA_CERTS as well (default false: only Agent.CAInfo). */
  nodeExtraCaCerts?: boolean;
  /** Node binary (default: this process's). */
  nodePath?: string;
  /** Called with each stdout chunk (live progress in long tests). */
  onStdout?: (chunk: string) => void;
}

function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'test', 'harness', 'dns-preload.js'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('run-task: cannot find the repository root (test/harness/dns-preload.js)');
    dir = up;
  }
}

export const DNS_PRELOAD = path.join(repoRoot(), 'test', 'harness', 'dns-preload.js');

/** Agent rule: upper-case, '.' and ' ' → '_'. */
export function variableEnvName(name: string): string {
  return name.replace(/[. ]/g, '_').toUpperCase();
}

const CLOUD_ENV: Record<CloudName, { environment: string; vaultResource: string }> = {
  AzureCloud: { environment: 'AzureCloud', vaultResource: 'https://vault.azure.net' },
  AzureUSGovernment: { environment: 'AzureUSGovernment', vaultResource: 'https://vault.usgovcloudapi.net' },
  AzureChinaCloud: { environment: 'AzureChinaCloud', vaultResource: 'https://vault.azure.cn' },
  custom: { environment: 'AzureStack', vaultResource: 'https://vault.azure.net' },
};

/**
 * The ENDPOINT_* variables of an AzureRM service connection on the emulator. Whatever the cloud name,
 * every URL points at *.localhost (the cloud name only changes ENVIRONMENT and the resource ids).
 */
export function serviceConnectionEnv(emulator: Emulator, scheme: ConnectionScheme, o: { cloud?: CloudName; id?: string } = {}): ServiceConnectionEnv {
  const ids = emulator.identities;
  const cloud = o.cloud ?? 'AzureCloud';
  const id = o.id ?? (scheme === 'wif' ? ids.wif.serviceConnectionId : `conn-${scheme.toLowerCase()}`);
  if (scheme === 'wif' && id !== ids.wif.serviceConnectionId) emulator.state.bucket<true>('oidc.connections').set(id.toLowerCase(), true);
  const params: Record<string, string> = { tenantid: ids.tenantId };
  const secrets: string[] = [];
  let authScheme: string;
  switch (scheme) {
    case 'spnKey':
      authScheme = 'ServicePrincipal';
      Object.assign(params, { serviceprincipalid: ids.spnSecret.clientId, authenticationType: 'spnKey', serviceprincipalkey: ids.spnSecret.secret, scope: '' });
      secrets.push(ids.spnSecret.secret);
      break;
    case 'spnCertificate':
      authScheme = 'ServicePrincipal';
      Object.assign(params, { serviceprincipalid: ids.spnCertificate.clientId, authenticationType: 'spnCertificate', servicePrincipalCertificate: ids.spnCertificate.pem, scope: '' });
      secrets.push(...ids.spnCertificate.pem.split(/-----[A-Z ]+-----/).map((s) => s.replace(/\s+/g, '')).filter((s) => s.length > 100)
        .map((s) => s.slice(0, 64)));
      break;
    case 'wif':
      authScheme = 'WorkloadIdentityFederation';
      Object.assign(params, { serviceprincipalid: ids.wif.clientId, workloadIdentityFederationIssuer: ids.wif.issuer, workloadIdentityFederationSubject: ids.wif.subject, scope: '' });
      secrets.push(ids.wif.systemAccessToken);
      break;
    case 'msi':
      authScheme = 'ManagedServiceIdentity';
      break;
  }
  const arm = `${emulator.urls.arm}/`;
  const authority = `${emulator.urls.authorityHost}/`;
  const port = emulator.port;
  const data: Record<string, string> = {
    environment: CLOUD_ENV[cloud].environment,
    scopeLevel: 'Subscription',
    subscriptionId: ids.subscriptionId,
    subscriptionName: ids.subscriptionName,
    creationMode: 'Manual',
    environmentUrl: arm,
    resourceManagerUrl: arm,
    serviceManagementUrl: arm,
    activeDirectoryAuthority: authority,
    environmentAuthorityUrl: authority,
    activeDirectoryServiceEndpointResourceId: arm,
    AzureKeyVaultDnsSuffix: emulator.urls.keyVaultDnsSuffix,
    AzureKeyVaultServiceEndpointResourceId: CLOUD_ENV[cloud].vaultResource,
    graphUrl: `https://graph.localhost:${port}/`,
    galleryUrl: `https://gallery.localhost:${port}/`,
    managementPortalUrl: `https://portal.localhost:${port}/`,
    armManagementPortalUrl: `https://portal.localhost:${port}/`,
    StorageEndpointSuffix: 'localhost',
    // the emulator's registries are <name>.azurecr.localhost (acr.ts); Azure CLI's name for the suffix
    acrLoginServerEndpoint: '.azurecr.localhost',
    sqlDatabaseDnsSuffix: 'database.localhost',
    EnableAdfsAuthentication: 'false',
  };
  const env: Record<string, string> = {
    [`ENDPOINT_URL_${id}`]: arm,
    [`ENDPOINT_AUTH_SCHEME_${id}`]: authScheme,
    [`ENDPOINT_AUTH_${id}`]: JSON.stringify({ parameters: params, scheme: authScheme }),
    [`ENDPOINT_DATA_${id}`]: JSON.stringify(data),
  };
  for (const [k, v] of Object.entries(params)) env[`ENDPOINT_AUTH_PARAMETER_${id}_${k.toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(data)) env[`ENDPOINT_DATA_${id}_${k.toUpperCase()}`] = v;
  return { id, scheme, cloud, env, secrets, emulator };
}

// ---------- ##vso parsing ----------
function unescapeProperty(v: string): string {
  return v.replace(/%3B/gi, ';').replace(/%5D/gi, ']').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%AZP25/gi, '%');
}
function unescapeMessage(v: string): string {
  return v.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%AZP25/gi, '%');
}

/** Parses every `##vso[area.event k=v;k2=v2]message` line. */
export function parseVsoCommands(text: string, stream = 'stdout'): VsoCommand[] {
  const out: VsoCommand[] = [];
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf('##vso[');
    if (at < 0) continue;
    const rest = line.slice(at + 6);
    const close = rest.indexOf(']');
    if (close < 0) continue;
    const head = rest.slice(0, close);
    const space = head.indexOf(' ');
    const name = (space < 0 ? head : head.slice(0, space)).toLowerCase();
    const properties: Record<string, string> = {};
    if (space >= 0) {
      for (const part of head.slice(space + 1).split(';')) {
        if (!part.trim()) continue;
        const eq = part.indexOf('=');
        if (eq < 0) properties[part.trim()] = '';
        else properties[part.slice(0, eq).trim()] = unescapeProperty(part.slice(eq + 1));
      }
    }
    out.push({ name, properties, message: unescapeMessage(rest.slice(close + 1)), stream });
  }
  return out;
}

const isTrue = (v: string | undefined): boolean => (v ?? '').toLowerCase() === 'true';
const RESULTS = ['Succeeded', 'SucceededWithIssues', 'Failed', 'Cancelled', 'Skipped'] as const;

/**
 * The task's `restrictions.settableVariables.allowed` from the task.json next to the bundle, or undefined
 * (no list: everything allowed). The agent matches each pattern with minimatch, ignoring case
 * (azure-pipelines-agent src/Agent.Worker/TaskRestrictionsExtension.cs IsSetVariableAllowed); our lists hold
 * plain names, so a case-insensitive comparison is the same test.
 */
export function settableVariables(bundlePath: string): string[] | undefined {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(path.dirname(path.resolve(bundlePath)), 'task.json'), 'utf8')) as { restrictions?: { settableVariables?: { allowed?: string[] } } };
    return json.restrictions?.settableVariables?.allowed;
  } catch {
    return undefined;
  }
}

/** Fills run's result, variables, outputs, secrets, issues and summaries from its commands, as the agent would. */
export function interpret(run: TaskRun, allowed: string[] | undefined): void {
  const settable = (name: string): boolean => !allowed || allowed.some((a) => a.toLowerCase() === name.toLowerCase());
  for (const c of run.commands) {
    switch (c.name) {
      case 'task.complete': {
        const r = RESULTS.find((x) => x.toLowerCase() === (c.properties.result ?? '').toLowerCase());
        // the agent keeps the worst result; the last message wins
        if (r && (!run.result || RESULTS.indexOf(r) >= RESULTS.indexOf(run.result as (typeof RESULTS)[number]))) run.result = r;
        if (c.message) run.message = c.message;
        break;
      }
      case 'task.setvariable': {
        const name = c.properties.variable;
        if (!name) break;
        if (!settable(name)) {
          run.refusedVariables.push(name);
          break;
        }
        run.variables[name] = c.message;
        if (isTrue(c.properties.isoutput) || isTrue(c.properties.isOutput)) run.outputs[name] = c.message;
        if (isTrue(c.properties.issecret) && c.message) run.secrets.push(c.message);
        break;
      }
      case 'task.setsecret':
        if (c.message) run.secrets.push(c.message);
        break;
      case 'task.issue':
      case 'task.logissue':
        run.issues.push({ type: (c.properties.type ?? 'error').toLowerCase(), message: c.message, properties: c.properties });
        break;
      case 'task.uploadsummary':
        run.summaryFiles.push(c.message);
        break;
      case 'task.addattachment': {
        const a: TaskAttachment = { type: c.properties.type ?? '', name: c.properties.name ?? '', path: c.message };
        try {
          a.content = fs.readFileSync(c.message, 'utf8');
        } catch {
          // attachment file missing: leave content undefined
        }
        run.attachments.push(a);
        if (a.type === 'Distributedtask.Core.Summary') run.summaryFiles.push(c.message);
        break;
      }
      default:
        break;
    }
  }
  for (const f of run.summaryFiles) {
    try {
      run.summaries.push(fs.readFileSync(f, 'utf8'));
    } catch {
      run.summaries.push(`<missing summary file ${f}>`);
    }
  }
  // ##[error] lines (tl.error without issue command is not a thing, but scripts print them)
  for (const line of run.stdout.split(/\r?\n/)) {
    const m = /^##\[(error|warning)\](.*)$/.exec(line);
    if (m && !run.issues.some((i) => i.message === m[2])) run.issues.push({ type: m[1], message: m[2], properties: {} });
  }
}

const KEEP_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'USER', 'SHELL', 'TERM'];

/** Runs a bundled task as the agent does and parses what it printed. */
export async function runTask(bundlePath: string, o: RunTaskOptions): Promise<TaskRun> {
  const emu = o.emulator ?? o.connection?.emulator ?? currentEmulator();
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aztask-'));
  const dirs = {
    temp: path.join(tempDir, '_temp'), tools: path.join(tempDir, '_tool'), work: path.join(tempDir, '_work'),
  };
  const sources = path.join(dirs.work, '1', 's');
  const staging = path.join(dirs.work, '1', 'a');
  for (const d of [dirs.temp, dirs.tools, sources, staging, path.join(dirs.work, '1', 'b')]) fs.mkdirSync(d, { recursive: true });
  const dnsLog = path.join(tempDir, 'dns.log');
  const env: Record<string, string> = {};
  for (const k of KEEP_ENV) if (process.env[k]) env[k] = process.env[k]!;
  const buildId = '1234';
  Object.assign(env, {
    TF_BUILD: 'True',
    AGENT_TEMPDIRECTORY: dirs.temp,
    AGENT_TOOLSDIRECTORY: dirs.tools,
    AGENT_WORKFOLDER: dirs.work,
    AGENT_BUILDDIRECTORY: path.join(dirs.work, '1'),
    AGENT_ROOTDIRECTORY: tempDir,
    AGENT_NAME: 'emulated-agent',
    AGENT_MACHINENAME: 'emulated-agent',
    AGENT_OS: 'Linux',
    AGENT_OSARCHITECTURE: 'X64',
    AGENT_VERSION: '4.255.0',
    AGENT_JOBSTATUS: 'Succeeded',
    AGENT_JOBNAME: 'Job',
    SYSTEM_TEAMPROJECT: 'ml-project',
    SYSTEM_TEAMPROJECTID: '6b2f1c4e-0d6c-4d2a-9a55-3f3e8e1c2a10',
    SYSTEM_DEFINITIONID: '17',
    SYSTEM_HOSTTYPE: 'build',
    SYSTEM_JOBATTEMPT: '1',
    SYSTEM_STAGEATTEMPT: '1',
    SYSTEM_PHASEATTEMPT: '1',
    SYSTEM_JOBID: crypto.randomUUID(),
    SYSTEM_PLANID: crypto.randomUUID(),
    SYSTEM_TIMELINEID: crypto.randomUUID(),
    SYSTEM_SERVERTYPE: 'Hosted',
    SYSTEM_CULTURE: 'en-US',
    SYSTEM_DEFAULTWORKINGDIRECTORY: sources,
    BUILD_BUILDID: buildId,
    BUILD_BUILDNUMBER: '20250101.1',
    BUILD_DEFINITIONNAME: 'ml-training',
    BUILD_REPOSITORY_NAME: 'ml-repo',
    BUILD_REPOSITORY_PROVIDER: 'TfsGit',
    BUILD_SOURCEBRANCH: 'refs/heads/main',
    BUILD_SOURCEBRANCHNAME: 'main',
    BUILD_SOURCEVERSION: '3f786850e387550fdab836ed7e6dc881de23001b',
    BUILD_REQUESTEDFOR: 'Pipeline Author',
    BUILD_REASON: 'IndividualCI',
    BUILD_SOURCESDIRECTORY: sources,
    BUILD_ARTIFACTSTAGINGDIRECTORY: staging,
    BUILD_BINARIESDIRECTORY: path.join(dirs.work, '1', 'b'),
    AZ_EMU_DNS_LOG: dnsLog,
  });
  if (emu) {
    const collection = emu.urls.devops;
    Object.assign(env, {
      SYSTEM_COLLECTIONURI: collection,
      SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: collection,
      SYSTEM_TEAMFOUNDATIONSERVERURI: collection,
      SYSTEM_OIDCREQUESTURI: emu.urls.oidcRequestUri,
      BUILD_REPOSITORY_URI: `${collection}ml-project/_git/ml-repo`,
      AGENT_CAINFO: emu.caFile,
      ENDPOINT_URL_SYSTEMVSSCONNECTION: collection,
      ENDPOINT_AUTH_SCHEME_SYSTEMVSSCONNECTION: 'OAuth',
      ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: emu.identities.wif.systemAccessToken,
      ENDPOINT_AUTH_SYSTEMVSSCONNECTION: JSON.stringify({ parameters: { AccessToken: emu.identities.wif.systemAccessToken }, scheme: 'OAuth' }),
    });
    const hosts = o.hostsFile ?? path.join(emu.dir, 'hosts.json');
    if (fs.existsSync(hosts)) env.AZ_EMU_HOSTS_FILE = hosts;
    if (o.nodeExtraCaCerts) env.NODE_EXTRA_CA_CERTS = emu.caFile;
  } else {
    env.SYSTEM_COLLECTIONURI = 'https://dev.azure.localhost/contoso/';
  }
  for (const c of [o.connection, ...(o.connections ?? [])]) {
    if (!c) continue;
    Object.assign(env, c.env);
    if (c.scheme === 'msi') env.AZURE_POD_IDENTITY_AUTHORITY_HOST = c.emulator.urls.imds;
  }
  for (const [k, v] of Object.entries(o.variables ?? {})) env[variableEnvName(k)] = v;
  for (const [k, v] of Object.entries(o.secretVariables ?? {})) env[`SECRET_${variableEnvName(k)}`] = v;
  for (const [k, v] of Object.entries(o.inputs)) env[`INPUT_${variableEnvName(k)}`] = v;
  for (const [k, v] of Object.entries(o.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }

  const started = Date.now();
  const child = spawn(o.nodePath ?? process.execPath, ['-r', DNS_PRELOAD, path.resolve(bundlePath)], {
    cwd: o.cwd ?? sources, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  const timers: NodeJS.Timeout[] = [];
  const sendSignal = (): void => {
    if (signalled || !o.signal) return;
    signalled = true;
    child.kill(o.signal.name);
    // the agent: SIGINT, 7.5 s later SIGTERM, 2.5 s later kill
    timers.push(setTimeout(() => child.kill('SIGTERM'), 7500));
    timers.push(setTimeout(() => child.kill('SIGKILL'), 10_000));
  };
  child.stdout.on('data', (d: Buffer) => {
    const s = d.toString();
    stdout += s;
    o.onStdout?.(s);
    if (o.signal?.whenStdoutMatches && o.signal.whenStdoutMatches.test(stdout)) sendSignal();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  if (o.signal?.afterMs !== undefined) timers.push(setTimeout(sendSignal, o.signal.afterMs));
  o.signal?.when?.then(sendSignal, () => undefined);
  let timedOut = false;
  const timeoutMs = o.timeoutMs ?? 120_000;
  timers.push(setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs));
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, sig) => resolve([code, sig]));
  }).finally(() => timers.forEach(clearTimeout));

  const run: TaskRun = {
    exitCode, signal, stdout, stderr, durationMs: Date.now() - started, timedOut,
    outputs: {}, variables: {}, refusedVariables: [], secrets: [], issues: [], summaries: [], summaryFiles: [], attachments: [],
    commands: [...parseVsoCommands(stdout, 'stdout'), ...parseVsoCommands(stderr, 'stderr')],
    tempDir, dnsLog: fs.existsSync(dnsLog) ? fs.readFileSync(dnsLog, 'utf8').split('\n').filter(Boolean) : [], env,
    agentMaskedSecrets: [
      ...[o.connection, ...(o.connections ?? [])].flatMap((c) => (c ? authValues(c) : [])),
      ...Object.values(o.secretVariables ?? {}),
      ...(emu ? [emu.identities.wif.systemAccessToken] : []),
    ].filter((v) => v.length > 0),
  };
  interpret(run, settableVariables(bundlePath));
  return run;
}

/** The auth parameter values of a connection (the agent masks them all, like it does for the real endpoint). */
function authValues(c: ServiceConnectionEnv): string[] {
  return Object.entries(c.env).filter(([k]) => k.startsWith(`ENDPOINT_AUTH_PARAMETER_${c.id}_`) && !/_(TENANTID|SERVICEPRINCIPALID|AUTHENTICATIONTYPE|SCOPE)$/.test(k)).map(([, v]) => v);
}

function listFiles(dir: string, out: string[] = []): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) listFiles(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Output with the agent-consumed secret commands removed (their payload never reaches the log). */
function visibleText(text: string): string {
  return text.split(/\r?\n/).filter((l) => {
    const c = parseVsoCommands(l)[0];
    if (!c) return true;
    return !(c.name === 'task.setsecret' || (c.name === 'task.setvariable' && isTrue(c.properties.issecret)));
  }).join('\n');
}

/**
 * Throws when any secret appears in stdout/stderr (outside the agent-consumed setsecret / secret
 * setvariable commands), in a summary, or in any file under the run's agent directories.
 * Values the agent masks by itself (`run.agentMaskedSecrets`: connection auth parameters, secret variables)
 * are allowed in stdout/stderr (they show as *** in the log) unless `strict`; never in summaries or files.
 * With `agentMasking`, a line printed after the secret was registered counts as masked (the agent
 * replaces it with ***), as in a real pipeline log.
 */
export function assertNoSecretsLeaked(run: TaskRun, secrets: string[], o: { agentMasking?: boolean; strict?: boolean; extraFiles?: string[] } = {}): void {
  const list = [...new Set(secrets.filter((s) => s && s.length >= 4))];
  const problems: string[] = [];
  const forms = (s: string): string[] => [...new Set([s, encodeURIComponent(s)])];
  const scanStream = (name: string, text: string): void => {
    const lines = text.split(/\r?\n/);
    const registered = new Set<string>(o.strict ? [] : run.agentMaskedSecrets);
    const alwaysMasked = new Set(registered);
    // The agent replaces every value it masks with *** wherever it appears (a ##vso command's message is
    // unescaped first, so a multi-line certificate in a debug line is masked whole, with its lines).
    const vsoEscape = (v: string): string => v.replace(/%/g, '%AZP25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    const agentMask = (line: string): string => {
      let out = line;
      for (const m of alwaysMasked) for (const f of new Set([...forms(m), vsoEscape(m)])) if (f) out = out.split(f).join('***');
      return out;
    };
    lines.forEach((rawLine, i) => {
      const c = parseVsoCommands(rawLine)[0];
      if (c && (c.name === 'task.setsecret' || (c.name === 'task.setvariable' && isTrue(c.properties.issecret)))) {
        registered.add(c.message);
        return;
      }
      const line = agentMask(rawLine);
      for (const s of list) {
        if (alwaysMasked.has(s) || (o.agentMasking && registered.has(s))) continue;
        if (forms(s).some((f) => line.includes(f))) problems.push(`${name} line ${i + 1} contains a secret (${s.slice(0, 3)}…): ${line.replace(s, '<SECRET>').slice(0, 200)}`);
      }
    });
  };
  scanStream('stdout', run.stdout);
  scanStream('stderr', run.stderr);
  run.summaries.forEach((text, i) => {
    for (const s of list) if (forms(s).some((f) => text.includes(f))) problems.push(`summary ${run.summaryFiles[i] ?? i} contains a secret (${s.slice(0, 3)}…)`);
  });
  for (const f of [...listFiles(run.tempDir), ...(o.extraFiles ?? [])]) {
    if (path.basename(f) === 'dns.log') continue;
    let text: string;
    try {
      text = fs.readFileSync(f).toString('latin1');
    } catch {
      continue;
    }
    for (const s of list) if (forms(s).some((x) => text.includes(x))) problems.push(`file ${f} contains a secret (${s.slice(0, 3)}…)`);
  }
  if (problems.length) throw new Error(`Secrets leaked:\n${problems.join('\n')}`);
}

export { visibleText };

/** Installs the DNS preload in this process (for in-process tests that use *.localhost URLs). */
export function installDnsPreload(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(DNS_PRELOAD);
}
