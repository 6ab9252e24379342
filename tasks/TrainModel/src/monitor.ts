// Waiting for the job with the shared waiter: a line per state change with the elapsed time and the
// studio link, back-off from pollIntervalSeconds up to 30 s, Azure's Retry-After honoured, a few
// transient read failures (throttling, 5xx, network) tolerated, the timeout input named on timeout.
import type { AzureMachineLearningWorkspaces, JobBase } from '@azure/arm-machinelearning';
import { azureErrorInfo, describeAzureError, toAzureCallError } from '../../shared/src/errors';
import { type Clock, type PollResult, retryAfterMs, waitUntil } from '../../shared/src/waiter';
import type { WorkspaceInfo } from '../../shared/src/workspace';
import { isTerminal } from './job';

export const MAX_TRANSIENT_FAILURES = 5;
/**
 * The back-off's cap. A job's end is noticed on average half an interval late and at worst one interval
 * late: 30 s keeps that within 15 s / 30 s for about 120 reads per job-hour (60 s took 31 s / 59 s for 64);
 * `npm run bench` shows the figures.
 */
export const MAX_POLL_INTERVAL_MS = 30_000;

export function isTransient(err: unknown): boolean {
  const info = azureErrorInfo(err);
  if (info.statusCode === undefined) return true; // network: reset, timeout, DNS hiccup
  return info.statusCode === 408 || info.statusCode === 429 || info.statusCode >= 500;
}

export interface WaitForJobOptions {
  client: AzureMachineLearningWorkspaces;
  ws: WorkspaceInfo;
  jobName: string;
  studioUrl: string;
  timeoutMs: number;
  pollIntervalMs: number;
  abortSignal?: AbortSignal;
  clock?: Clock;
  log?: (line: string) => void;
  /** Called with every job read (a sweep's or pipeline's progress); its failures are its own to handle. */
  onPoll?: (job: JobBase) => Promise<void>;
}

/** Polls until the job reaches a terminal state (TERMINAL_STATES); returns that status. */
export async function waitForJob(o: WaitForJobOptions): Promise<string> {
  const log = o.log ?? ((l: string) => console.log(l));
  let lastStatus = 'Unknown';
  let failures = 0;
  const poll = async (): Promise<PollResult<string>> => {
    try {
      const job = await o.client.jobs.get(o.ws.resourceGroup, o.ws.name, o.jobName, { abortSignal: o.abortSignal });
      failures = 0;
      lastStatus = job.properties.status ?? 'Unknown';
      if (o.onPoll) await o.onPoll(job);
      return { done: isTerminal(lastStatus), state: lastStatus, value: lastStatus };
    } catch (err) {
      if (o.abortSignal?.aborted) throw err;
      if (!isTransient(err) || ++failures > MAX_TRANSIENT_FAILURES) {
        throw toAzureCallError(err, 'Reading the status of', `job '${o.jobName}'`);
      }
      const headers = (err as { response?: { headers?: { toJSON?: () => Record<string, string> } } }).response?.headers?.toJSON?.() ?? {};
      log(`Reading job '${o.jobName}' failed (${failures}/${MAX_TRANSIENT_FAILURES}), retrying: ${describeAzureError(err)}`);
      return { done: false, state: lastStatus, retryAfterMs: retryAfterMs(headers) };
    }
  };
  return waitUntil<string>({
    what: `Job '${o.jobName}'`,
    poll,
    timeoutMs: o.timeoutMs,
    initialDelayMs: o.pollIntervalMs,
    maxDelayMs: Math.max(o.pollIntervalMs, MAX_POLL_INTERVAL_MS),
    factor: 1.5,
    clock: o.clock,
    abortSignal: o.abortSignal,
    timeoutInput: 'timeoutMinutes',
    log: (line) => log(`${line} ${o.studioUrl}`),
  });
}
