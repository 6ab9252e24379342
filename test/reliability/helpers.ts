// Shared set-up of the reliability suite (issue 9) and the runtime runs: the tasks, found in the repository
// (test/reliability/tasks.ts), each with the fixture its folder declares (tasks/<Task>/tests/harness.ts: emulator
// seeding, fresh happy-path inputs per run, planted secrets, a runner of a private copy of the BUNDLED task), and
// the shared pieces (onRequest, blobSnapshot, mapLimit).
import type { Emulator, RecordedRequest } from '../emulator';
import type { ConnectionScheme, TaskRun } from '../harness/run-task';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { withCa, type TestBed } from '../harness/testbed';
import type { Fixture, TaskHarness, TaskName } from './fixture';
import { harnessOf, taskFolders } from './tasks';

export { cleanupTemp, isArm, ROOT, tempDir, writeFile, type BadInputCase, type Fixture, type FaultTarget, type TaskHarness, type TaskName } from './fixture';

/** Every task of the extension (tasks/<Task> with a task.json, not starting with '_'). */
export const TASKS: TaskName[] = taskFolders();

/** Each task's declaration (tasks/<Task>/tests/harness.ts). */
export const HARNESSES: Record<TaskName, TaskHarness> = Object.fromEntries(TASKS.map((t) => [t, harnessOf(t)]));

/** Each task's fixture on a bed of its own or the given one. */
export const FIXTURES: Record<TaskName, (bed?: TestBed) => Promise<Fixture>> = Object.fromEntries(
  TASKS.map((t) => [t, (bed?: TestBed) => HARNESSES[t].fixture({ task: t, ...(bed ? { bed } : {}) })]),
);

// ---------- request-log helpers ----------
export function since(emu: Emulator, mark: number): RecordedRequest[] {
  return emu.requests.slice(mark);
}
export const isVault = (r: RecordedRequest): boolean => r.host.endsWith('.vault.localhost');
export const isToken = (r: RecordedRequest): boolean => r.host === 'login.localhost' && /\/oauth2\/v2\.0\/token$/.test(r.path);
export const describeRequest = (r: RecordedRequest): string => `${r.method} ${r.host}${r.path} ${r.status}${r.fault ? ` (${r.fault})` : ''}`;

/** The first line of a failure message and whether it is the only one. */
export function oneLine(message: string | undefined): boolean {
  return !!message && !/[\r\n]/.test(message) && message.trim().length > 0;
}

/** The connection schemes that carry a secret (msi has none). */
export const SCHEMES = ['spnKey', 'spnCertificate', 'wif'] as const satisfies readonly ConnectionScheme[];

/**
 * Calls `then` synchronously when the emulator records the first request matching `when` (from now on):
 * deterministic "mid-run" fault injection (the task's next request cannot arrive before the trigger's
 * response went out). Returns an undo function.
 */
export function onRequest(emu: Emulator, when: (r: RecordedRequest) => boolean, then: () => void): () => void {
  const arr = emu.requests;
  const original = arr.push;
  let fired = false;
  arr.push = function (this: RecordedRequest[], ...items: RecordedRequest[]): number {
    const n = original.apply(this, items);
    if (!fired && items.some(when)) {
      fired = true;
      then();
    }
    return n;
  };
  return () => {
    arr.push = original;
  };
}

/** Runs fn over items with at most `limit` at a time, results in item order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A stack-trace line outside task-lib's debug output. */
export function stackTraceLines(run: TaskRun): string[] {
  return (run.stdout + '\n' + run.stderr).split(/\r?\n/).filter((l) => !l.startsWith('##vso[task.debug]') && /^\s+at .+\(.*:\d+:\d+\)$/.test(l));
}

/** Every container and blob (name → etag) in the bed's Azurite: compare two to prove nothing was written. */
export async function blobSnapshot(bed: TestBed): Promise<Record<string, string>> {
  const svc = withCa(new BlobServiceClient(bed.azurite.ipBlobUrl(), new StorageSharedKeyCredential(bed.azurite.accountName, bed.azurite.accountKey)), bed.emulator.caPem);
  const out: Record<string, string> = {};
  for await (const c of svc.listContainers()) {
    out[`${c.name}/`] = String(c.properties.etag);
    for await (const b of bed.container(c.name).listBlobsFlat()) out[`${c.name}/${b.name}`] = String(b.properties.etag);
  }
  return out;
}
