// Resolves the model version and brings its files onto the agent, through the agent tool cache so a
// second build on the same agent downloads nothing (azure-pipelines-tool-lib: findLocalTool / cacheDir).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AzureBlobDatastore } from '@azure/arm-machinelearning';
import type { ContainerClient } from '@azure/storage-blob';
import * as tl from 'azure-pipelines-task-lib/task';
import { type ContextWith, azureCall, blobContainerClient, toAzureCallError } from '../../shared/src/azure';
import { checkStorageHost, storageSuffix } from '../../shared/src/cloud';
import { TaskError } from '../../shared/src/errors';
import { displayUri, untrusted } from '../../shared/src/untrusted';
import { jobOutputLocation } from '../../shared/src/jobOutputs';
import { datastoreBlobEndpoint, namedDatastoreContainer, WorkspaceInfo, type WorkspaceScope } from '../../shared/src/workspace';
import { findAsset } from './assets';
import { ModelLocation, ModelRef, parseModelUri } from './references';

export interface ResolvedModel {
  ref: ModelRef;
  /** azureml:<name>:<version> */
  id: string;
  armId: string;
  modelUri: string;
  location: ModelLocation;
}

export interface ModelFiles {
  dir: string;
  fromCache: boolean;
  files: number;
  bytes: number;
}

export async function resolveModel(scope: WorkspaceScope, ref: ModelRef): Promise<ResolvedModel> {
  const { ctx, ws } = scope;
  const what = `model '${ref.name}' version '${ref.version}' in workspace '${ws.name}'`;
  const mv = await azureCall('Reading', what, () => ctx.clients.ml.modelVersions.get(ws.resourceGroup, ws.name, ref.name, ref.version), { notFound: 'undefined' });
  if (!mv) throw new TaskError(`Input 'modelId': ${what} does not exist. Expected a registered model version (see the RegisterModel output 'modelId', or the workspace's Models page).`);
  const modelUri = mv.properties.modelUri;
  if (!modelUri) throw new TaskError(`The ${what} has no modelUri: there are no files to put in the image.`);
  const location = parseModelUri(modelUri);
  if (!location) {
    throw new TaskError(`The ${what} has the modelUri '${displayUri(modelUri)}', which this task cannot download. Supported: azureml://datastores/<ds>/paths/<p>, azureml://jobs/<job>/outputs/<output>[/paths/<p>], runs:/<job>/<p>, https://<account>.blob.<suffix>/<container>/<p>.`);
  }
  return { ref, id: `azureml:${ref.name}:${ref.version}`, armId: mv.id ?? `${ws.id}/models/${ref.name}/versions/${ref.version}`, modelUri, location };
}

/**
 * The tool-cache key. tool-lib wants a semver version: integer model versions map to `<n>.0.0`, others to
 * `0.0.0-<version>`; the workspace id hash is a prerelease part, so two workspaces never share an entry.
 */
export function toolCacheKey(ws: Pick<WorkspaceInfo, 'id'>, ref: ModelRef): { tool: string; version: string } {
  const wsHash = 'w' + crypto.createHash('sha256').update(ws.id.toLowerCase()).digest('hex').slice(0, 12);
  const numeric = /^(0|[1-9]\d{0,15})$/.test(ref.version);
  const pre = numeric ? wsHash : `${ref.version.replace(/[^0-9A-Za-z-]+/g, '-').replace(/^-+|-+$/g, '') || 'v'}.${wsHash}`;
  return { tool: `azureml-model-${ref.name}`, version: `${numeric ? ref.version : '0'}.0.0-${pre}` };
}

/** tool-lib reads its messages from lib.json beside itself; in the bundle the build copies them as tool-lib.json. */
function loadToolLibStrings(): void {
  const file = findAsset('tool-lib.json', { optional: true });
  if (file) tl.setResourcePath(file, true);
}

interface BlobSource {
  container: ContainerClient;
  prefix: string;
  /** Where the files are, for messages (displayUri: no query string). */
  where: string;
}

/**
 * Where a model blob is written: `dest` joined with the blob's relative name split on BOTH separators (a
 * blob named `model/..\\..\\x` is `model`, `..`, `..`, `x` to a Windows agent). A `..` segment, or a result
 * outside `dest` (an absolute or drive-rooted name), is refused with the blob's name. `p` is the path
 * flavour (path.win32 in tests; the agent's own by default).
 */
export function modelFilePath(dest: string, blobName: string, rel: string, p: path.PlatformPath = path): string {
  const parts = rel.split(/[\\/]+/).filter((s) => s.length > 0 && s !== '.');
  const refuse = (why: string): TaskError => new TaskError(`Model file '${untrusted(blobName)}' ${why}: refusing to download it. Expected blob names inside the model's folder.`);
  if (parts.some((s) => s === '..')) throw refuse("has a '..' path segment");
  const root = p.resolve(dest);
  const file = p.resolve(root, ...parts);
  const inside = p.relative(root, file);
  if (!inside || inside === '..' || inside.startsWith(`..${p.sep}`) || p.isAbsolute(inside)) throw refuse(`would be written outside the download folder (${untrusted(inside || rel)})`);
  return file;
}

/**
 * A job output's files (shared/jobOutputs.ts): the uri the job reports for the output, the artifact store folder
 * `ExperimentRun/dcid.<job>/` for MLflow-logged models (`…/outputs/artifacts/paths/<p>`, `runs:/<job>/<p>`), else
 * AML's default output path on the default datastore. A deleted job (404) leaves its files: the defaults then.
 */
async function jobOutputSource(ctx: ContextWith<'ml'>, ws: WorkspaceInfo, loc: Extract<ModelLocation, { kind: 'jobOutput' }>): Promise<BlobSource> {
  const at = await jobOutputLocation(ctx, ws, loc);
  return { container: await namedDatastoreContainer(ctx, ws, at.datastore), prefix: at.path, where: at.where };
}

async function blobUrlSource(ctx: ContextWith<'ml'>, ws: WorkspaceInfo, loc: Extract<ModelLocation, { kind: 'blobUrl' }>): Promise<BlobSource> {
  // use the credentials of the workspace datastore that points at this account/container, else the task's identity
  const host = loc.accountHost.toLowerCase();
  checkStorageHost(host, ctx.cloud, "The model's blob URL");
  try {
    for await (const d of ctx.clients.ml.datastores.list(ws.resourceGroup, ws.name)) {
      const p = d.properties as AzureBlobDatastore;
      if (p.datastoreType !== 'AzureBlob' || !p.accountName || !p.containerName || !d.name) continue;
      const endpointHost = new URL(datastoreBlobEndpoint(p, storageSuffix(ctx.cloud))).host.toLowerCase();
      if (endpointHost === host && p.containerName === loc.container) {
        return { container: await namedDatastoreContainer(ctx, ws, d.name), prefix: loc.path, where: displayUri(loc.url) };
      }
    }
  } catch (err) {
    throw toAzureCallError(err, 'Listing the datastores of', `workspace '${ws.name}'`);
  }
  const containerUrl = loc.url.slice(0, loc.url.indexOf(`/${encodeURIComponent(loc.container)}`) + loc.container.length + 1);
  return { container: blobContainerClient(ctx, containerUrl, { credential: ctx.credential }), prefix: loc.path, where: displayUri(loc.url) };
}

async function blobSource(ctx: ContextWith<'ml'>, ws: WorkspaceInfo, model: ResolvedModel): Promise<BlobSource> {
  const loc = model.location;
  if (loc.kind === 'datastore') return { container: await namedDatastoreContainer(ctx, ws, loc.datastore), prefix: loc.path, where: displayUri(model.modelUri) };
  if (loc.kind === 'jobOutput') return jobOutputSource(ctx, ws, loc);
  return blobUrlSource(ctx, ws, loc);
}

/** A model blob: its name, where it lands (relative to the download folder) and its Content-MD5 (base64), if Azure has one. */
export interface ModelBlob {
  name: string;
  rel: string;
  md5?: string;
}

const md5Of = (b: Uint8Array | undefined): string | undefined => (b && b.length > 0 ? Buffer.from(b).toString('base64') : undefined);

/** The blobs under the model path (one blob, or a folder's), with the properties Azure returns. */
async function listModelBlobs(src: BlobSource): Promise<ModelBlob[]> {
  const base = src.prefix.split('/').pop() ?? '';
  const blobs: ModelBlob[] = [];
  try {
    if (src.prefix) {
      const props = await src.container.getBlobClient(src.prefix).getProperties().catch((err: unknown) => {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw err;
      });
      if (props) blobs.push({ name: src.prefix, rel: base, md5: md5Of(props.contentMD5) });
    }
    if (blobs.length === 0) {
      const folder = src.prefix ? `${src.prefix}/` : '';
      for await (const b of src.container.listBlobsFlat({ prefix: folder })) {
        const rest = b.name.slice(folder.length);
        if (!rest || rest.endsWith('/')) continue;
        blobs.push({ name: b.name, rel: base ? `${base}/${rest}` : rest, md5: md5Of(b.properties.contentMD5) });
      }
    }
  } catch (err) {
    throw toAzureCallError(err, 'Listing the model files at', src.where);
  }
  if (blobs.length === 0) throw new TaskError(`No model files at ${src.where}: the model version points at an empty or missing path.`);
  return blobs;
}

/** Downloads the blobs into `dest/<last path segment>/…` (AML's layout under AZUREML_MODEL_DIR). */
async function download(src: BlobSource, blobs: ModelBlob[], dest: string): Promise<{ files: number; bytes: number }> {
  let bytes = 0;
  for (const n of blobs) {
    const file = modelFilePath(dest, n.name, n.rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await azureCall('Downloading', `model file '${n.name}' from ${src.where}`, () => src.container.getBlobClient(n.name).downloadToFile(file));
    bytes += fs.statSync(file).size;
  }
  return { files: blobs.length, bytes };
}

/**
 * Why the cached copy in `dir` cannot be reused, or undefined when every file is a regular file whose MD5 is its
 * blob's Content-MD5 and nothing else is there. The agent tool cache is a folder other pipelines on the same agent
 * can write (issue 15 item 6): a model file swapped there would end up in the image. A blob without Content-MD5
 * (e.g. uploaded in blocks by a client that set none) cannot vouch for its cached copy: downloaded again.
 */
export function cachedModelProblem(dir: string, blobs: ModelBlob[]): string | undefined {
  for (const b of blobs) {
    if (!b.md5) return `blob '${untrusted(b.name)}' has no Content-MD5 to check the cached copy against`;
    let file: string;
    try {
      file = modelFilePath(dir, b.name, b.rel);
    } catch {
      return `blob '${untrusted(b.name)}' has no place in the cache`;
    }
    const st = fs.lstatSync(file, { throwIfNoEntry: false });
    if (!st) return `'${untrusted(b.rel)}' is missing`;
    if (!st.isFile()) return `'${untrusted(b.rel)}' is not a regular file`;
    const md5 = crypto.createHash('md5').update(fs.readFileSync(file)).digest('base64');
    if (md5 !== b.md5) return `'${untrusted(b.rel)}' differs from its blob (MD5 ${md5}, Content-MD5 ${b.md5})`;
  }
  const held = countEntries(dir);
  if (held !== blobs.length) return `it holds ${held} entries, the model ${blobs.length} files`;
  return undefined;
}

/** Every entry but folders under `dir` (files, links, anything else). */
function countEntries(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? countEntries(path.join(dir, e.name)) : 1;
  return n;
}

function countFiles(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        files++;
        bytes += fs.statSync(p).size;
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

/**
 * The model's files in the tool cache: found there and matching the blobs' Content-MD5, or downloaded and cached
 * (a cached copy that does not match is replaced, with one line saying why).
 */
export async function modelFiles(scope: WorkspaceScope, model: ResolvedModel): Promise<ModelFiles> {
  const { ctx, ws } = scope;
  // tool-lib (with typed-rest-client) loads here, after the first ARM request (README.md, 'Cold start')
  const toolLib = await import('./toolCache');
  loadToolLibStrings();
  const key = toolCacheKey(ws, model.ref);
  const src = await blobSource(ctx, ws, model);
  const blobs = await listModelBlobs(src);
  const cached = toolLib.findLocalTool(key.tool, key.version, 'any');
  if (cached) {
    const problem = cachedModelProblem(cached, blobs);
    if (!problem) return { dir: cached, fromCache: true, ...countFiles(cached) };
    console.log(`The agent tool cache's copy of model ${model.id} does not match its blobs (${problem}): downloading it again.`);
  }
  const staging = fs.mkdtempSync(path.join(tl.getVariable('Agent.TempDirectory') || os.tmpdir(), 'model-'));
  try {
    const counted = await download(src, blobs, staging);
    const dir = await toolLib.cacheDir(staging, key.tool, key.version, 'any');
    return { dir, fromCache: false, ...counted };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
