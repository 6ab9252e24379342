// Builds the context in the registry with ACR Tasks: upload the tar.gz to the registry's build-source
// SAS URL, schedule a DockerBuildRequest run (never twice: scheduleRun.ts), poll it with the shared waiter while streaming its log
// (range reads of the log blob), cancel it when the pipeline is cancelled.
import type { DockerBuildRequest, Run } from '@azure/arm-containerregistry';
import * as tl from 'azure-pipelines-task-lib/task';
import { type ContextWith, azureCall, blobContainerClient } from '../../shared/src/azure';
import { cancellationSignal, onCancel } from '../../shared/src/cancellation';
import { TaskError } from '../../shared/src/errors';
import { httpRequest } from '../../shared/src/http';
import { group, printUntrusted } from '../../shared/src/log';
import { untrusted } from '../../shared/src/untrusted';
import { waitUntil } from '../../shared/src/waiter';
import { pushedImage, recentRunIds, type Scheduled, scheduleBuild } from './scheduleRun';
import { schedulingCancelHook } from './schedulingCancelHook';
import type { RegistryInfo } from './targetRegistry';

export interface BuildRequest {
  archive: Buffer;
  dockerfilePath: string;
  /** repo:tag names, without the login server. */
  imageNames: string[];
  buildArgs: Record<string, string>;
  timeoutMs: number;
}

export interface BuildResult {
  runId: string;
  digest: string;
}

const FAILED = ['Failed', 'Canceled', 'Error', 'Timeout'];
const TAIL_LINES = 40;

/** Masks a SAS URL as a whole and its signature on its own. */
export function maskSasUrl(url: string): void {
  tl.setSecret(url);
  const sig = /[?&]sig=([^&]+)/.exec(url)?.[1];
  if (sig) {
    tl.setSecret(sig);
    try {
      tl.setSecret(decodeURIComponent(sig));
    } catch {
      // not percent-encoded
    }
  }
  const q = url.indexOf('?');
  if (q >= 0) tl.setSecret(url.slice(q + 1));
}

/** Splits a blob SAS URL into its container URL (with the SAS) and blob name. */
export function splitBlobSasUrl(url: string): { containerUrl: string; blobName: string } {
  const u = new URL(url);
  const parts = u.pathname.split('/').filter((p) => p.length > 0);
  if (parts.length < 2) throw new TaskError('The registry returned a build-source upload URL without a blob path.');
  return { containerUrl: `${u.origin}/${parts[0]}${u.search}`, blobName: parts.slice(1).map(decodeURIComponent).join('/') };
}

/** Reads a growing log blob with range requests and prints whole lines as they arrive. */
export class LogFollower {
  private offset = 0;
  private partial = '';
  readonly tail: string[] = [];

  constructor(private readonly ctx: ContextWith<'acr'>, private readonly url: string, private readonly print: (text: string) => void = printUntrusted) {}

  async poll(): Promise<void> {
    let r;
    try {
      r = await httpRequest(this.ctx.http, { method: 'GET', url: this.url, headers: { Range: `bytes=${this.offset}-`, 'x-ms-version': '2021-12-02' } });
    } catch {
      return; // the log is a convenience: a failed read is retried on the next poll
    }
    if (r.status === 404 || r.status === 416) return;
    if (r.status !== 200 && r.status !== 206) return;
    const chunk = r.status === 200 ? r.body.subarray(Math.min(this.offset, r.body.length)) : r.body;
    if (chunk.length === 0) return;
    this.offset += chunk.length;
    const text = this.partial + chunk.toString('utf8');
    const nl = text.lastIndexOf('\n');
    if (nl < 0) {
      this.partial = text;
      return;
    }
    this.partial = text.slice(nl + 1);
    this.emit(text.slice(0, nl));
  }

  flush(): void {
    if (this.partial) this.emit(this.partial);
    this.partial = '';
  }

  private emit(block: string): void {
    const lines = block.split(/\r?\n/);
    this.tail.push(...lines);
    if (this.tail.length > TAIL_LINES) this.tail.splice(0, this.tail.length - TAIL_LINES);
    this.print(block);
  }
}

export async function uploadSource(ctx: ContextWith<'acr'>, registry: RegistryInfo, archive: Buffer): Promise<string> {
  const client = ctx.clients.acr;
  const upload = await azureCall('Getting a build-source upload URL of', `registry '${registry.name}'`, () => client.registries.getBuildSourceUploadUrl(registry.resourceGroup, registry.name));
  if (!upload.uploadUrl || !upload.relativePath) throw new TaskError(`Registry '${registry.name}' returned no build-source upload URL.`);
  maskSasUrl(upload.uploadUrl);
  const { containerUrl, blobName } = splitBlobSasUrl(upload.uploadUrl);
  await azureCall('Uploading the build context to', `registry '${registry.name}' build storage`, () =>
    blobContainerClient(ctx, containerUrl).getBlockBlobClient(blobName).uploadData(archive, { blobHTTPHeaders: { blobContentType: 'application/gzip' } }),
  );
  console.log(`Uploaded the build context (${archive.length} bytes) as ${upload.relativePath}.`);
  return upload.relativePath;
}

export async function buildInRegistry(ctx: ContextWith<'acr'>, registry: RegistryInfo, req: BuildRequest): Promise<BuildResult> {
  const sourceLocation = await uploadSource(ctx, registry, req.archive);
  const request: DockerBuildRequest = {
    type: 'DockerBuildRequest',
    sourceLocation,
    dockerFilePath: req.dockerfilePath,
    imageNames: req.imageNames,
    isPushEnabled: true,
    noCache: false,
    platform: { os: 'Linux', architecture: 'amd64' },
    arguments: Object.entries(req.buildArgs).map(([name, value]) => ({ name, value, isSecret: false })),
    // ACR accepts 300-28800 seconds
    timeout: Math.min(28800, Math.max(300, Math.ceil(req.timeoutMs / 1000))),
  };
  // never started twice: a lost reply is followed up by looking for the run it started (scheduleRun.ts)
  const known = await recentRunIds(ctx, registry);
  let scheduled = await scheduleAndFollow(ctx, registry, req, { known, timeoutMs: req.timeoutMs, request });
  if (scheduled.adopted && !req.imageNames.every((n) => pushedImage(scheduled.result.run, n.slice(0, n.lastIndexOf(':')), n.slice(n.lastIndexOf(':') + 1)))) {
    console.log(`ACR run ${scheduled.result.runId} did not push ${req.imageNames.join(', ')}: it was another build. Scheduling this one.`);
    scheduled = await scheduleAndFollow(ctx, registry, req, { known, timeoutMs: req.timeoutMs, request, adopt: false });
  }
  return { runId: scheduled.result.runId, digest: scheduled.result.digest };
}

/**
 * Schedules the build and follows its run. The cancel hook is registered before scheduling: a pipeline cancel while
 * scheduleRun is in flight (or while a lost reply is followed up) cancels the run it created or adopted
 * (schedulingCancelHook.ts); followRun's own hook then takes over in the same tick.
 */
async function scheduleAndFollow(
  ctx: ContextWith<'acr'>,
  registry: RegistryInfo,
  req: BuildRequest,
  o: { known: ReadonlySet<string>; timeoutMs: number; request: DockerBuildRequest; adopt?: boolean },
): Promise<{ adopted: boolean; result: BuildResult & { run: Run } }> {
  const hook = schedulingCancelHook(ctx.clients.acr, registry);
  let scheduled: Scheduled;
  let runId: string;
  try {
    scheduled = await hook.scheduling(scheduleBuild(ctx, registry, o.request, { known: o.known, timeoutMs: o.timeoutMs, ...(o.adopt === false ? { adopt: false } : {}) }));
    runId = runIdOf(scheduled.run, registry);
  } catch (err) {
    hook.release();
    throw err;
  }
  return { adopted: scheduled.adopted, result: await followRun(ctx, registry, runId, req, hook.release) };
}

function runIdOf(run: Run, registry: RegistryInfo): string {
  const runId = run.runId ?? run.name;
  if (!runId) throw new TaskError(`Registry '${registry.name}' accepted the build but returned no run id.`);
  return runId;
}

/** Follows a run to its end (log streamed, cancelled with the pipeline); fails unless it succeeded with a digest. */
async function followRun(ctx: ContextWith<'acr'>, registry: RegistryInfo, runId: string, req: BuildRequest, releaseSchedulingHook: () => void): Promise<BuildResult & { run: Run }> {
  const client = ctx.clients.acr;
  // the scheduling's hook hands over to this one in the same tick (no cancel can fall between)
  releaseSchedulingHook();
  const unregister = onCancel(async () => {
    console.log(`Cancelling ACR run ${runId} in registry ${registry.name}...`);
    await client.runs.beginCancel(registry.resourceGroup, registry.name, runId);
  }, `cancel ACR run ${runId}`);
  console.log(tl.loc('BuildQueued', runId, registry.name));
  try {
    return await group(`ACR build log (run ${runId})`, async () => {
      let log: LogFollower | undefined;
      const finished = await waitUntil<Run>({
        what: `ACR run ${runId}`,
        timeoutMs: req.timeoutMs,
        timeoutInput: 'timeoutMinutes',
        initialDelayMs: 1000,
        maxDelayMs: 10000,
        abortSignal: cancellationSignal(),
        poll: async (signal) => {
          const r = await client.runs.get(registry.resourceGroup, registry.name, runId, { abortSignal: signal });
          if (!log) {
            try {
              const link = (await client.runs.getLogSasUrl(registry.resourceGroup, registry.name, runId)).logLink;
              if (link) {
                maskSasUrl(link);
                log = new LogFollower(ctx, link);
              }
            } catch {
              // no log link yet: try again on the next poll
            }
          }
          await log?.poll();
          const status = r.status ?? 'Unknown';
          return { done: status === 'Succeeded' || FAILED.includes(status), state: status, value: r };
        },
      });
      await log?.poll();
      log?.flush();
      if (finished.status !== 'Succeeded') {
        const tail = log?.tail.slice(-20) ?? [];
        console.log(tl.loc('BuildFailed', runId, finished.status ?? 'Unknown'));
        printUntrusted(tail.length ? tail.map((l) => `  ${l}`).join('\n') : '  (the run wrote no log)');
        // the run's error and log come from the build (the user's Dockerfile): the shared neutraliser, one line
        const neutral = (t: string): string => untrusted(t.trim());
        const last = [...tail].reverse().find((l) => l.trim().length > 0);
        // A run can fail before it writes a log (context download, quota): only runErrorMessage says why.
        const runError = finished.runErrorMessage ? neutral(finished.runErrorMessage) : undefined;
        const lastLine = last ? neutral(last) : undefined;
        const why = runError && lastLine && !lastLine.includes(runError) ? `${runError} (last log line: ${lastLine})` : (lastLine ?? runError);
        throw new TaskError(`ACR build run ${runId} in registry '${registry.name}' ended ${finished.status}${why ? `: ${why.slice(0, 400)}` : ''}. See the build log above.`);
      }
      const digest = finished.outputImages?.find((i) => i.digest)?.digest;
      if (!digest) throw new TaskError(`ACR build run ${runId} succeeded but reported no image digest.`);
      return { runId, digest, run: finished };
    });
  } finally {
    unregister();
  }
}
