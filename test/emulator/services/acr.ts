// Azure Container Registry for the emulator: registries (ARM), ACR Tasks (listBuildSourceUploadUrl,
// scheduleRun of a DockerBuildRequest, runs get/list/cancel/listLogSasUrl) and the registry data plane
// (<name>.azurecr.localhost: /oauth2/exchange, /oauth2/token, /v2/ manifests).
//
// A build really happens, minus the layers: the uploaded tar.gz is read back from Azurite, extracted,
// the Dockerfile's COPY/ADD sources are checked against it (a missing one fails the run with Docker's
// message), and the extracted folder becomes the image (`images(emulator)` → contextDir) that the ACI
// emulator runs. The build log is a blob in Azurite that grows as the run is polled.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import {
  AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, BlobSASPermissions, generateAccountSASQueryParameters,
  generateBlobSASQueryParameters, SASProtocol, StorageSharedKeyCredential,
} from '@azure/storage-blob';
import * as tar from 'tar-stream';
import type { EmulatorState } from '../state';
import { HttpError, type EmulatorApi, type RouteContext, type ServiceModule } from '../types';

/** One stored image: the same record is reachable by `loginServer/repo:tag` and `loginServer/repo@sha256:…`. */
export interface StoredImage {
  digest: string;
  /** Extracted build context on disk (what the image would contain): Dockerfile, scoring/, model/, environment/. */
  contextDir: string;
  labels: Record<string, string>;
}

/**
 * The image store, for other emulator services (ACI runs `contextDir`) and tests.
 * Keys: `<loginServer>/<repo>:<tag>` and `<loginServer>/<repo>@sha256:<hex>`; loginServer is
 * `<registry>.azurecr.localhost:<emulatorPort>` (lower-case registry name).
 */
export function images(emulator: { state: EmulatorState }): Map<string, StoredImage> {
  return emulator.state.bucket<StoredImage>('acr.images');
}

export interface RegistryRecord {
  name: string;
  resourceGroup: string;
  location: string;
  adminUserEnabled: boolean;
  sku: 'Basic' | 'Standard' | 'Premium';
  username: string;
  passwords: [string, string];
  created: string;
  tags?: Record<string, string>;
  /**
   * Policy azureADAuthenticationAsArmPolicy ("ARM audience token authentication", on by default): when
   * 'disabled' (the built-in policy that hardens registries), /oauth2/exchange refuses ARM-audience tokens
   * and takes only tokens for https://containerregistry.azure.net.
   */
  armAudienceTokens?: 'enabled' | 'disabled';
  /**
   * Hostile-reply knobs (issue 15 item 3; the emulator is never kinder than Azure, and these make it less kind):
   * `loginServer` is what ARM reports instead of `<name>.azurecr.localhost:<port>`, `challengeRealm` the token
   * realm the registry's /v2/ challenge names instead of its own /oauth2/token.
   */
  loginServer?: string;
  challengeRealm?: string;
}

/** The registry audience of Entra ID tokens (ACR docs "Azure AD authentication as ARM policy"). */
export const ACR_AUDIENCE = 'https://containerregistry.azure.net';

export type RunStatus = 'Queued' | 'Started' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled' | 'Error' | 'Timeout';

export interface BuildRequestRecord {
  type: string;
  imageNames?: string[];
  isPushEnabled?: boolean;
  noCache?: boolean;
  dockerFilePath: string;
  sourceLocation?: string;
  platform?: { os?: string; architecture?: string };
  arguments?: { name: string; value: string; isSecret?: boolean }[];
  target?: string;
  timeout?: number;
}

export interface RunRecord {
  runId: string;
  registry: string;
  resourceGroup: string;
  status: RunStatus;
  request: BuildRequestRecord;
  createTime: string;
  startTime?: string;
  finishTime?: string;
  /** Full log the run will have written at the end; `logShown` lines are in the blob so far. */
  logLines: string[];
  logShown: number;
  /** Terminal state the build reaches ('Succeeded' or 'Failed'). */
  outcome: 'Succeeded' | 'Failed';
  /** GETs answered so far. */
  polls: number;
  outputImages: { registry: string; repository: string; tag: string; digest: string }[];
  logBlob: string;
  cancelRequested: boolean;
  /** properties.runErrorMessage of a failed run (spec RunProperties.runErrorMessage). */
  errorMessage?: string;
}

/** Knobs for tests: how builds behave. */
export interface AcrControl {
  /** GETs a run stays Running before it finishes (default 2). */
  runningPolls: number;
  /** When set, every build fails at its RUN step with this message in the log. */
  failBuildsWith?: string;
  /**
   * When set, every run fails before it writes any log (e.g. the context could not be downloaded); the
   * message is only in the run's `runErrorMessage`, as ACR reports such failures.
   */
  failBeforeLogWith?: string;
  /** When true, runs stay Running until cancelled (for cancellation tests). */
  holdRuns: boolean;
}

export function acrControl(emu: { state: EmulatorState }): AcrControl {
  const b = emu.state.bucket<AcrControl>('acr.control');
  let c = b.get('control');
  if (!c) {
    c = { runningPolls: 2, holdRuns: false };
    b.set('control', c);
  }
  return c;
}

export function registries(emu: { state: EmulatorState }): Map<string, RegistryRecord> {
  return emu.state.bucket<RegistryRecord>('acr.registries');
}

export function acrRuns(emu: { state: EmulatorState }): Map<string, RunRecord> {
  return emu.state.bucket<RunRecord>('acr.runs');
}

/** Manifest bytes per `<loginServer>/<repo>@<digest>`. */
function manifests(emu: { state: EmulatorState }): Map<string, string> {
  return emu.state.bucket<string>('acr.manifests');
}

/** Adds (or replaces) a registry. */
export function addRegistry(emu: { state: EmulatorState }, o: { name: string; resourceGroup: string; location?: string; adminUserEnabled?: boolean; sku?: RegistryRecord['sku']; armAudienceTokens?: 'enabled' | 'disabled' }): RegistryRecord {
  const r: RegistryRecord = {
    armAudienceTokens: o.armAudienceTokens ?? 'enabled',
    name: o.name, resourceGroup: o.resourceGroup, location: o.location ?? 'eastus', adminUserEnabled: o.adminUserEnabled ?? true,
    sku: o.sku ?? 'Standard', username: o.name,
    passwords: [crypto.randomBytes(24).toString('base64url'), crypto.randomBytes(24).toString('base64url')], created: new Date().toISOString(),
  };
  registries(emu).set(o.name.toLowerCase(), r);
  return r;
}

export function loginServerOf(emu: { port: number }, registryName: string): string {
  return `${registryName.toLowerCase()}.azurecr.localhost:${emu.port}`;
}

/** Every workspace's registry exists (created with the workspace, as in Azure). */
function ensureWorkspaceRegistries(emu: EmulatorApi): void {
  for (const ws of emu.state.workspaces.values()) {
    if (ws.containerRegistryName && !registries(emu).has(ws.containerRegistryName.toLowerCase())) {
      addRegistry(emu, { name: ws.containerRegistryName, resourceGroup: ws.resourceGroup, location: ws.location });
    }
  }
}

const PROVIDER = 'Microsoft.ContainerRegistry';
const REGISTRY_API = /^(2019-05-01|2019-12-01-preview|2021-09-01|2022-12-01|2023-01-01-preview|2023-07-01|2023-11-01-preview|2025-04-01|2025-11-01)$/;
const TASKS_API = ['2019-06-01-preview'];

function registryId(sub: string, r: RegistryRecord): string {
  return `/subscriptions/${sub}/resourceGroups/${r.resourceGroup}/providers/${PROVIDER}/registries/${r.name}`;
}

function registryBody(emu: EmulatorApi, r: RegistryRecord): Record<string, unknown> {
  return {
    id: registryId(emu.identities.subscriptionId, r), name: r.name, type: `${PROVIDER}/registries`, location: r.location, tags: r.tags ?? {},
    sku: { name: r.sku, tier: r.sku },
    properties: {
      loginServer: r.loginServer ?? loginServerOf(emu, r.name), creationDate: r.created, provisioningState: 'Succeeded', adminUserEnabled: r.adminUserEnabled,
      networkRuleSet: { defaultAction: 'Allow', ipRules: [] },
      policies: {
        quarantinePolicy: { status: 'disabled' }, trustPolicy: { type: 'Notary', status: 'disabled' },
        retentionPolicy: { days: 7, lastUpdatedTime: r.created, status: 'disabled' }, exportPolicy: { status: 'enabled' },
        azureADAuthenticationAsArmPolicy: { status: r.armAudienceTokens ?? 'enabled' },
      },
      encryption: { status: 'disabled' }, dataEndpointEnabled: false, dataEndpointHostNames: [], privateEndpointConnections: [],
      publicNetworkAccess: 'Enabled', networkRuleBypassOptions: 'AzureServices', zoneRedundancy: 'Disabled',
    },
  };
}

function getRegistry(emu: EmulatorApi, ctx: RouteContext): RegistryRecord {
  ensureWorkspaceRegistries(emu);
  if (!emu.state.getResourceGroup(ctx.params.rg)) throw new HttpError(404, 'ResourceGroupNotFound', `Resource group '${ctx.params.rg}' could not be found.`);
  const r = registries(emu).get(ctx.params.name.toLowerCase());
  if (!r || r.resourceGroup.toLowerCase() !== ctx.params.rg.toLowerCase()) {
    throw new HttpError(404, 'ResourceNotFound', `The Resource '${PROVIDER}/registries/${ctx.params.name}' under resource group '${ctx.params.rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
  }
  return r;
}

// ---------- Azurite access (account SAS over path-style 127.0.0.1 URLs) ----------

const SOURCE_CONTAINER = 'acr-build-sources';
const LOG_CONTAINER = 'acr-run-logs';

function azuritePort(emu: EmulatorApi): number {
  return Number(emu.state.storage.endpoint.split(':').pop());
}

function sharedKey(emu: EmulatorApi): StorageSharedKeyCredential {
  return new StorageSharedKeyCredential(emu.state.storage.accountName, emu.state.storage.accountKey);
}

function accountSas(emu: EmulatorApi): string {
  const expiresOn = new Date(Date.now() + 3600_000);
  return generateAccountSASQueryParameters({
    expiresOn, permissions: AccountSASPermissions.parse('rwdlac'), services: AccountSASServices.parse('b').toString(),
    resourceTypes: AccountSASResourceTypes.parse('sco').toString(), protocol: SASProtocol.Https,
  }, sharedKey(emu)).toString();
}

/** Production-style SAS URL of a blob, for the task (its DNS preload resolves *.localhost). */
function blobSasUrl(emu: EmulatorApi, container: string, blob: string, permissions: string): string {
  const sas = generateBlobSASQueryParameters({
    containerName: container, blobName: blob, permissions: BlobSASPermissions.parse(permissions),
    expiresOn: new Date(Date.now() + 3600_000), protocol: SASProtocol.Https,
  }, sharedKey(emu)).toString();
  return `https://${emu.state.storage.accountName}.blob.localhost:${azuritePort(emu)}/${container}/${blob}?${sas}`;
}

function caOf(emu: EmulatorApi): string | undefined {
  return (emu as unknown as { caPem?: string }).caPem;
}

function azurite(emu: EmulatorApi, method: string, resource: string, o: { query?: string; body?: Buffer; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Buffer }> {
  const q = [o.query, accountSas(emu)].filter(Boolean).join('&');
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port: azuritePort(emu), method, path: `/${emu.state.storage.accountName}/${resource}?${q}`, ca: caOf(emu),
      headers: { 'x-ms-version': '2021-12-02', 'content-length': o.body ? o.body.length : 0, ...o.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

async function ensureContainer(emu: EmulatorApi, name: string): Promise<void> {
  const r = await azurite(emu, 'PUT', name, { query: 'restype=container' });
  if (r.status !== 201 && r.status !== 409) throw new Error(`Azurite: cannot create container ${name}: ${r.status} ${r.body.toString()}`);
}

async function putBlob(emu: EmulatorApi, container: string, blob: string, data: Buffer): Promise<void> {
  await ensureContainer(emu, container);
  const r = await azurite(emu, 'PUT', `${container}/${blob}`, { body: data, headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'text/plain; charset=utf-8' } });
  if (r.status !== 201) throw new Error(`Azurite: cannot write ${container}/${blob}: ${r.status}`);
}

// ---------- the build ----------

interface BuildOutcome {
  ok: boolean;
  log: string[];
  contextDir?: string;
  labels: Record<string, string>;
  contextHash?: string;
}

async function extractTarGz(data: Buffer, dir: string): Promise<string[]> {
  const files: string[] = [];
  const ex = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const name = path.posix.normalize(header.name).replace(/^\/+/, '');
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        if (header.type === 'file' && !name.startsWith('..')) {
          const dest = path.join(dir, ...name.split('/'));
          fs.mkdirSync(path.dirname(dest), { recursive: true });
          fs.writeFileSync(dest, Buffer.concat(chunks), { mode: header.mode ?? 0o644 });
          files.push(name);
        }
        next();
      });
      stream.resume();
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(zlib.gunzipSync(data));
  await done;
  return files.sort();
}

/** Dockerfile instructions, continuation lines joined; ARG defaults + build args resolve $VARs in LABELs. */
function dockerInstructions(text: string): { line: number; op: string; args: string }[] {
  const out: { line: number; op: string; args: string }[] = [];
  let cur = '';
  let start = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.trim();
    if (!cur && (!t || t.startsWith('#'))) return;
    if (cur && t.startsWith('#')) return;
    if (!cur) start = i + 1;
    if (t.endsWith('\\')) cur += t.slice(0, -1) + ' ';
    else {
      cur += t;
      const m = /^(\S+)\s*(.*)$/.exec(cur.trim());
      if (m) out.push({ line: start, op: m[1].toUpperCase(), args: m[2] });
      cur = '';
    }
  });
  return out;
}

function tokenizeLabelArgs(s: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const v = m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2];
    out.push([m[1].replace(/^"|"$/g, ''), v]);
  }
  return out;
}

function globMatches(pattern: string, files: string[]): boolean {
  const norm = path.posix.normalize(pattern.replace(/^\.?\/+/, '')).replace(/\/+$/, '');
  if (norm === '.' || norm === '') return true;
  const re = new RegExp(`^${norm.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}(/.*)?$`);
  return files.some((f) => re.test(f));
}

async function build(emu: EmulatorApi, run: RunRecord, archive: Buffer, control: AcrControl): Promise<BuildOutcome> {
  const log: string[] = [];
  const labels: Record<string, string> = {};
  const ts = (): string => new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  log.push(`${ts()} - Setting up Docker configuration...`, `${ts()} - Docker is configured successfully.`, `${ts()} - Successfully logged into ${loginServerOf(emu, run.registry)}`);
  log.push(`${ts()} - Executing step ID: build. Timeout(sec): ${run.request.timeout ?? 28800}, Working directory: '', Network: ''`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `acr-${run.registry}-${run.runId}-`));
  let files: string[];
  try {
    files = await extractTarGz(archive, dir);
  } catch (err) {
    log.push(`failed to extract the build context: ${(err as Error).message}`);
    return { ok: false, log, labels };
  }
  const dockerfile = path.join(dir, ...run.request.dockerFilePath.split('/'));
  if (!fs.existsSync(dockerfile)) {
    log.push(`unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat /workspace/${run.request.dockerFilePath}: no such file or directory`);
    return { ok: false, log, labels };
  }
  const args = new Map((run.request.arguments ?? []).map((a) => [a.name, a.value]));
  const argDefaults = new Map<string, string>();
  log.push(`${ts()} - Scanning for dependencies...`, 'Sending build context to Docker daemon  ' + `${(archive.length / 1024).toFixed(2)}kB`);
  const steps = dockerInstructions(fs.readFileSync(dockerfile, 'utf8'));
  // what each FROM of this emulator's registries stands for is part of the image (a moved base tag: another image)
  const bases: string[] = [];
  let n = 0;
  for (const s of steps) {
    n++;
    log.push(`Step ${n}/${steps.length} : ${s.op} ${s.args}`);
    if (s.op === 'FROM') {
      const ref = s.args.split(/\s+/).find((w) => !w.startsWith('--')) ?? '';
      const base = images(emu).get(ref) ?? images(emu).get(ref.toLowerCase());
      if (base) bases.push(`${ref} ${base.digest}`);
    } else if (s.op === 'ARG') {
      const [k, ...v] = s.args.split('=');
      argDefaults.set(k.trim(), v.join('=').replace(/^"|"$/g, ''));
    } else if (s.op === 'LABEL') {
      for (const [k, v] of tokenizeLabelArgs(s.args)) {
        labels[k] = v.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_m, name: string) => args.get(name) ?? argDefaults.get(name) ?? '');
      }
    } else if (s.op === 'COPY' || s.op === 'ADD') {
      let rest = s.args.trim();
      let fromStage = false;
      for (let f = /^--([a-z-]+)(=\S*)?\s+/i.exec(rest); f; f = /^--([a-z-]+)(=\S*)?\s+/i.exec(rest)) {
        if (f[1].toLowerCase() === 'from') fromStage = true;
        rest = rest.slice(f[0].length);
      }
      const parts = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
      if (!fromStage) {
        for (const src of parts.slice(0, -1)) {
          if (/^https?:\/\//.test(src)) continue;
          if (!globMatches(src, files)) {
            log.push(`${s.op} failed: file not found in build context or excluded by .dockerignore: stat ${src.replace(/^\.?\/+/, '')}: file does not exist`);
            return { ok: false, log, labels };
          }
        }
      }
    } else if (s.op === 'RUN' && control.failBuildsWith) {
      log.push(' ---> Running in 4f2a7c1d9e0b', control.failBuildsWith, `The command '/bin/sh -c ${s.args}' returned a non-zero code: 1`);
      return { ok: false, log, labels };
    }
    log.push(` ---> ${crypto.createHash('sha256').update(`${run.runId}${n}`).digest('hex').slice(0, 12)}`);
  }
  const hash = crypto.createHash('sha256');
  for (const b of bases) hash.update(`FROM ${b}\n`);
  for (const f of files) hash.update(f + '\0' + crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, ...f.split('/')))).digest('hex') + '\n');
  return { ok: true, log, contextDir: dir, labels, contextHash: hash.digest('hex') };
}

function storeImage(emu: EmulatorApi, run: RunRecord, out: BuildOutcome): void {
  const ls = loginServerOf(emu, run.registry);
  const config = { architecture: 'amd64', os: 'linux', config: { Labels: out.labels }, contextHash: out.contextHash };
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest = JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: configBytes.length, digest: `sha256:${crypto.createHash('sha256').update(configBytes).digest('hex')}` },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 1, digest: `sha256:${crypto.createHash('sha256').update(out.contextHash ?? '').digest('hex')}` }],
  });
  const digest = `sha256:${crypto.createHash('sha256').update(manifest).digest('hex')}`;
  const record: StoredImage = { digest, contextDir: out.contextDir!, labels: out.labels };
  for (const name of run.request.imageNames ?? []) {
    const repo = name.includes(':') ? name.slice(0, name.lastIndexOf(':')) : name;
    const tag = name.includes(':') ? name.slice(name.lastIndexOf(':') + 1) : 'latest';
    images(emu).set(`${ls}/${repo}:${tag}`, record);
    images(emu).set(`${ls}/${repo}@${digest}`, record);
    manifests(emu).set(`${ls}/${repo}@${digest}`, manifest);
    run.outputImages.push({ registry: ls, repository: repo, tag, digest });
  }
}

function runBody(emu: EmulatorApi, run: RunRecord): Record<string, unknown> {
  const r = registries(emu).get(run.registry);
  const id = `${r ? registryId(emu.identities.subscriptionId, r) : ''}/runs/${run.runId}`;
  return {
    id, name: run.runId, type: `${PROVIDER}/registries/runs`,
    properties: {
      runId: run.runId, status: run.status, lastUpdatedTime: new Date().toISOString(), runType: 'QuickRun', createTime: run.createTime,
      ...(run.startTime ? { startTime: run.startTime } : {}), ...(run.finishTime ? { finishTime: run.finishTime } : {}),
      outputImages: run.status === 'Succeeded' ? run.outputImages : [],
      platform: { os: 'Linux', architecture: run.request.platform?.architecture ?? 'amd64' }, agentConfiguration: { cpu: 2 },
      isArchiveEnabled: false, provisioningState: 'Succeeded',
      ...(run.status === 'Failed' && run.errorMessage ? { runErrorMessage: run.errorMessage } : {}),
      imageUpdateTrigger: undefined,
    },
  };
}

const TERMINAL: RunStatus[] = ['Succeeded', 'Failed', 'Canceled', 'Error', 'Timeout'];

/** One GET moves the run along: Queued → Running (log grows) → its outcome. */
async function advance(emu: EmulatorApi, run: RunRecord): Promise<void> {
  if (TERMINAL.includes(run.status)) return;
  const control = acrControl(emu);
  run.polls++;
  if (run.status === 'Queued') {
    run.status = 'Running';
    run.startTime = new Date().toISOString();
  }
  const total = run.logLines.length;
  if (control.failBeforeLogWith) {
    run.status = 'Failed';
    run.finishTime = new Date().toISOString();
    run.errorMessage = control.failBeforeLogWith;
    run.logLines = [];
    run.logShown = 0;
    return; // no log blob at all
  }
  if (!control.holdRuns && run.polls > control.runningPolls) {
    run.status = run.outcome;
    if (run.outcome === 'Failed') run.errorMessage = 'failed during run, err: exit status 1';
    run.finishTime = new Date().toISOString();
    run.logShown = total;
    run.logLines.push(run.outcome === 'Succeeded' ? `Run ID: ${run.runId} was successful after ${run.polls}s` : `Run ID: ${run.runId} failed after ${run.polls}s. Error: failed during run, err: exit status 1`);
    run.logShown = run.logLines.length;
  } else {
    run.logShown = Math.min(total, Math.max(run.logShown, Math.ceil((total * run.polls) / (control.runningPolls + 1))));
  }
  await putBlob(emu, LOG_CONTAINER, run.logBlob, Buffer.from(run.logLines.slice(0, run.logShown).join('\n') + (run.logShown ? '\n' : '')));
}

// ---------- data plane tokens ----------

interface AcrToken { registry: string; kind: 'refresh' | 'access'; scopes: string[]; exp: number }

function acrTokens(emu: { state: EmulatorState }): Map<string, AcrToken> {
  return emu.state.bucket<AcrToken>('acr.tokens');
}

function challenge(ctx: RouteContext, scope?: string): HttpError {
  const host = ctx.req.headers.host ?? ctx.host;
  const realm = registries(ctx.emu).get(ctx.hostLabel.toLowerCase())?.challengeRealm ?? `https://${host}/oauth2/token`;
  const err = new HttpError(401, 'UNAUTHORIZED', 'authentication required', {
    'www-authenticate': `Bearer realm="${realm}",service="${host}"${scope ? `,scope="${scope}"` : ''}`,
    'docker-distribution-api-version': 'registry/2.0',
  });
  return err;
}

function dataPlaneError(ctx: RouteContext, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  ctx.json(status, { errors: [{ code, message, detail: null }] }, { 'docker-distribution-api-version': 'registry/2.0', ...headers });
}

function formBody(ctx: RouteContext): URLSearchParams {
  return new URLSearchParams(ctx.body);
}

function registryForHost(emu: EmulatorApi, ctx: RouteContext): RegistryRecord | undefined {
  ensureWorkspaceRegistries(emu);
  return registries(emu).get(ctx.hostLabel.toLowerCase());
}

function bearer(ctx: RouteContext): string | undefined {
  const h = ctx.req.headers.authorization;
  return h && /^Bearer /i.test(h) ? h.slice(7).trim() : undefined;
}

function allowed(emu: EmulatorApi, ctx: RouteContext, reg: RegistryRecord, repo: string, action: 'pull' | 'push'): boolean {
  const t = bearer(ctx);
  const rec = t ? acrTokens(emu).get(t) : undefined;
  if (!rec || rec.kind !== 'access' || rec.registry !== reg.name.toLowerCase() || rec.exp < Date.now()) return false;
  return rec.scopes.some((s) => {
    const [type, name, actions] = s.split(':');
    return type === 'repository' && (name === repo || name === '*') && (actions ?? '').split(',').some((a) => a === action || a === '*');
  });
}

const service: ServiceModule = {
  name: 'acr',
  register(emu: EmulatorApi) {
    const o = { apiVersions: REGISTRY_API };
    const t = { apiVersions: TASKS_API };
    const base = '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerRegistry/registries';

    // ----- registries -----
    emu.addRoute('arm', 'GET', '/subscriptions/{sub}/providers/Microsoft.ContainerRegistry/registries', (ctx) => {
      ensureWorkspaceRegistries(emu);
      ctx.json(200, { value: [...registries(emu).values()].map((r) => registryBody(emu, r)) });
    }, o);
    emu.addRoute('arm', 'GET', base, (ctx) => {
      ensureWorkspaceRegistries(emu);
      if (!emu.state.getResourceGroup(ctx.params.rg)) throw new HttpError(404, 'ResourceGroupNotFound', `Resource group '${ctx.params.rg}' could not be found.`);
      ctx.json(200, { value: [...registries(emu).values()].filter((r) => r.resourceGroup.toLowerCase() === ctx.params.rg.toLowerCase()).map((r) => registryBody(emu, r)) });
    }, o);
    emu.addRoute('arm', 'GET', `${base}/{name}`, (ctx) => ctx.json(200, registryBody(emu, getRegistry(emu, ctx))), o);
    emu.addRoute('arm', 'POST', `${base}/{name}/listCredentials`, (ctx) => {
      const r = getRegistry(emu, ctx);
      if (!r.adminUserEnabled) {
        throw new HttpError(400, 'UnAuthorizedForCredentialOperations', `Cannot perform credential operations for ${registryId(emu.identities.subscriptionId, r)} as admin user is disabled. Kindly enable admin user as per docs: https://docs.microsoft.com/en-us/azure/container-registry/container-registry-authentication#admin-account`);
      }
      ctx.json(200, { username: r.username, passwords: [{ name: 'password', value: r.passwords[0] }, { name: 'password2', value: r.passwords[1] }] });
    }, o);

    // ----- ACR Tasks -----
    emu.addRoute('arm', 'POST', `${base}/{name}/listBuildSourceUploadUrl`, async (ctx) => {
      const r = getRegistry(emu, ctx);
      await ensureContainer(emu, SOURCE_CONTAINER);
      const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
      const relativePath = `source/${day}0000/${crypto.randomUUID()}.tar.gz`;
      const blob = `${r.name.toLowerCase()}/${relativePath}`;
      emu.state.bucket<string>('acr.uploads').set(relativePath, blob);
      ctx.json(200, { relativePath, uploadUrl: blobSasUrl(emu, SOURCE_CONTAINER, blob, 'rw') });
    }, t);

    emu.addRoute('arm', 'POST', `${base}/{name}/scheduleRun`, async (ctx) => {
      const r = getRegistry(emu, ctx);
      const req = ctx.bodyJson<BuildRequestRecord>();
      if (req?.type !== 'DockerBuildRequest') throw new HttpError(400, 'InvalidRequestContent', `The emulator supports only DockerBuildRequest runs (got '${String(req?.type)}').`);
      if (!req.dockerFilePath) throw new HttpError(400, 'InvalidParameter', "The 'dockerFilePath' property is required.");
      if (!req.platform?.os || req.platform.os.toLowerCase() !== 'linux') throw new HttpError(400, 'InvalidParameter', "The 'platform.os' property is required (the emulator builds Linux images).");
      for (const n of req.imageNames ?? []) {
        if (!/^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/.test(n)) {
          throw new HttpError(400, 'InvalidImageName', `The image name '${n}' is invalid.`);
        }
      }
      const blob = req.sourceLocation ? emu.state.bucket<string>('acr.uploads').get(req.sourceLocation) : undefined;
      if (!blob) throw new HttpError(400, 'InvalidSourceLocation', `The source location '${String(req.sourceLocation)}' is not an uploaded build source of this registry.`);
      const archive = await azurite(emu, 'GET', `${SOURCE_CONTAINER}/${blob}`);
      if (archive.status !== 200) throw new HttpError(400, 'InvalidSourceLocation', `The build source at '${req.sourceLocation}' was not uploaded (${archive.status}).`);
      const runs = acrRuns(emu);
      const runId = `c${(runs.size + 1).toString(16)}${crypto.randomBytes(2).toString('hex')}`;
      const run: RunRecord = {
        runId, registry: r.name.toLowerCase(), resourceGroup: r.resourceGroup, status: 'Queued', request: req, createTime: new Date().toISOString(),
        logLines: [], logShown: 0, outcome: 'Failed', polls: 0, outputImages: [], logBlob: `${r.name.toLowerCase()}/${runId}/rawtext.log`, cancelRequested: false,
      };
      const out = await build(emu, run, archive.body, acrControl(emu));
      run.logLines = out.log;
      run.outcome = out.ok ? 'Succeeded' : 'Failed';
      if (out.ok) {
        const pushLines = (req.imageNames ?? []).map((n) => `${loginServerOf(emu, r.name)}/${n}: pushed`);
        run.logLines.push(`Successfully built ${crypto.randomBytes(6).toString('hex')}`, ...pushLines);
        // the image exists once the run reports Succeeded; stored now, visible to clients only through the run
        run.logLines.push(`${new Date().toISOString()} - Successfully pushed image`);
        const pending = emu.state.bucket<BuildOutcome>('acr.pendingImages');
        pending.set(runId, out);
      }
      runs.set(runId, run);
      await putBlob(emu, LOG_CONTAINER, run.logBlob, Buffer.alloc(0));
      ctx.json(200, runBody(emu, run));
    }, t);

    const getRun = (ctx: RouteContext): RunRecord => {
      const r = getRegistry(emu, ctx);
      const run = acrRuns(emu).get(ctx.params.runId);
      if (!run || run.registry !== r.name.toLowerCase()) throw new HttpError(404, 'ResourceNotFound', `The run '${ctx.params.runId}' was not found in registry '${r.name}'.`);
      return run;
    };
    const finishIfDone = (run: RunRecord): void => {
      const pending = emu.state.bucket<BuildOutcome>('acr.pendingImages');
      const out = pending.get(run.runId);
      if (out && run.status === 'Succeeded') {
        storeImage(emu, run, out);
        pending.delete(run.runId);
      }
    };
    emu.addRoute('arm', 'GET', `${base}/{name}/runs`, (ctx) => {
      const r = getRegistry(emu, ctx);
      // newest first, as ACR lists runs
      const list = [...acrRuns(emu).values()].reverse().filter((x) => x.registry === r.name.toLowerCase()).map((x) => runBody(emu, x));
      ctx.json(200, emu.paged(list, ctx, Number(ctx.query.$top ?? 100) || 100, { style: 'skipToken' }));
    }, t);
    emu.addRoute('arm', 'GET', `${base}/{name}/runs/{runId}`, async (ctx) => {
      const run = getRun(ctx);
      await advance(emu, run);
      finishIfDone(run);
      ctx.json(200, runBody(emu, run));
    }, t);
    emu.addRoute('arm', 'POST', `${base}/{name}/runs/{runId}/listLogSasUrl`, (ctx) => {
      const run = getRun(ctx);
      ctx.json(200, { logLink: blobSasUrl(emu, LOG_CONTAINER, run.logBlob, 'r') });
    }, t);
    emu.addRoute('arm', 'POST', `${base}/{name}/runs/{runId}/cancel`, async (ctx) => {
      const run = getRun(ctx);
      run.cancelRequested = true;
      if (!TERMINAL.includes(run.status)) {
        run.status = 'Canceled';
        run.finishTime = new Date().toISOString();
        run.logLines = [...run.logLines.slice(0, run.logShown), `Run ID: ${run.runId} was canceled`];
        run.logShown = run.logLines.length;
        emu.state.bucket<BuildOutcome>('acr.pendingImages').delete(run.runId);
        await putBlob(emu, LOG_CONTAINER, run.logBlob, Buffer.from(run.logLines.join('\n') + '\n'));
      }
      emu.startLro(ctx, { polls: 1, provider: PROVIDER, location: registries(emu).get(run.registry)?.location });
    }, t);

    // ----- data plane: <name>.azurecr.localhost -----
    emu.addRoute('acr', 'POST', '/oauth2/exchange', (ctx) => {
      const reg = registryForHost(emu, ctx);
      if (!reg) return dataPlaneError(ctx, 404, 'NAME_UNKNOWN', 'registry not found');
      const f = formBody(ctx);
      if (f.get('grant_type') !== 'access_token') return ctx.json(400, { details: 'grant_type must be access_token' });
      const aad = f.get('access_token') ?? '';
      const v = emu.verifyToken(aad);
      const aud = String(v?.claims.aud ?? '').replace(/\/+$/, '').toLowerCase();
      const armAudience = /^https:\/\/management\./.test(aud);
      if (!v || v.expired || (aud !== ACR_AUDIENCE && !armAudience)) {
        return ctx.json(401, { details: 'The access token is invalid, expired or not for Azure Container Registry or Azure Resource Manager.' });
      }
      if (armAudience && reg.armAudienceTokens === 'disabled') {
        return ctx.json(401, { errors: [{ code: 'UNAUTHORIZED', message: `arm aad token disallowed: registry '${reg.name}' has azureADAuthenticationAsArmPolicy disabled; use a token for ${ACR_AUDIENCE}` }] });
      }
      if (f.get('service') && f.get('service')!.toLowerCase() !== (ctx.req.headers.host ?? '').toLowerCase()) {
        return ctx.json(400, { details: `service '${f.get('service')}' does not match this registry` });
      }
      const refresh = crypto.randomBytes(32).toString('base64url');
      acrTokens(emu).set(refresh, { registry: reg.name.toLowerCase(), kind: 'refresh', scopes: [], exp: Date.now() + 3 * 3600_000 });
      ctx.json(200, { refresh_token: refresh });
    }, { auth: 'none' });
    emu.addRoute('acr', 'POST', '/oauth2/token', (ctx) => {
      const reg = registryForHost(emu, ctx);
      if (!reg) return dataPlaneError(ctx, 404, 'NAME_UNKNOWN', 'registry not found');
      const f = formBody(ctx);
      const rt = acrTokens(emu).get(f.get('refresh_token') ?? '');
      if (f.get('grant_type') !== 'refresh_token' || !rt || rt.kind !== 'refresh' || rt.registry !== reg.name.toLowerCase() || rt.exp < Date.now()) {
        return ctx.json(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] });
      }
      const scopes = (f.getAll('scope').join(' ')).split(' ').filter(Boolean);
      const access = crypto.randomBytes(32).toString('base64url');
      acrTokens(emu).set(access, { registry: reg.name.toLowerCase(), kind: 'access', scopes, exp: Date.now() + 3600_000 });
      ctx.json(200, { access_token: access });
    }, { auth: 'none' });
    emu.addRoute('acr', 'GET', '/v2/', (ctx) => {
      const t0 = bearer(ctx);
      const rec = t0 ? acrTokens(emu).get(t0) : undefined;
      if (!rec || rec.kind !== 'access') throw challenge(ctx);
      ctx.json(200, {}, { 'docker-distribution-api-version': 'registry/2.0' });
    }, { auth: 'none' });
    const manifestRoute = (method: 'GET' | 'HEAD' | 'PUT') => (ctx: RouteContext): void => {
      const reg = registryForHost(emu, ctx);
      if (!reg) return dataPlaneError(ctx, 404, 'NAME_UNKNOWN', 'registry not found');
      const m = /^(.+)\/manifests\/([^/]+)$/.exec(ctx.params.rest ?? '');
      if (!m) return dataPlaneError(ctx, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
      const [, repo, reference] = m;
      const action = method === 'PUT' ? 'push' : 'pull';
      if (!allowed(emu, ctx, reg, repo, action)) throw challenge(ctx, `repository:${repo}:${method === 'PUT' ? 'pull,push' : 'pull'}`);
      const ls = loginServerOf(emu, reg.name);
      if (method === 'PUT') {
        const digest = `sha256:${crypto.createHash('sha256').update(ctx.body).digest('hex')}`;
        const existing = images(emu).get(`${ls}/${repo}@${digest}`);
        if (!existing) return dataPlaneError(ctx, 400, 'MANIFEST_BLOB_UNKNOWN', 'blob unknown to registry (the emulator only re-tags manifests it holds)');
        if (!reference.startsWith('sha256:')) images(emu).set(`${ls}/${repo}:${reference}`, existing);
        return ctx.send(201, { 'docker-content-digest': digest, location: `/v2/${repo}/manifests/${digest}`, 'docker-distribution-api-version': 'registry/2.0' });
      }
      const key = reference.startsWith('sha256:') ? `${ls}/${repo}@${reference}` : `${ls}/${repo}:${reference}`;
      const img = images(emu).get(key);
      if (!img) return dataPlaneError(ctx, 404, 'MANIFEST_UNKNOWN', `manifest tagged by "${reference}" is not found`);
      const body = manifests(emu).get(`${ls}/${repo}@${img.digest}`) ?? '';
      const headers = {
        'content-type': 'application/vnd.docker.distribution.manifest.v2+json', 'docker-content-digest': img.digest,
        'docker-distribution-api-version': 'registry/2.0', 'content-length': String(Buffer.byteLength(body)),
      };
      if (method === 'HEAD') {
        ctx.res.writeHead(200, headers);
        ctx.res.end();
        return;
      }
      ctx.send(200, headers, body);
    };
    emu.addRoute('acr', 'HEAD', '/v2/{*rest}', manifestRoute('HEAD'), { auth: 'none' });
    emu.addRoute('acr', 'GET', '/v2/{*rest}', manifestRoute('GET'), { auth: 'none' });
    emu.addRoute('acr', 'PUT', '/v2/{*rest}', manifestRoute('PUT'), { auth: 'none' });
  },
};
export default service;
