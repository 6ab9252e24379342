// Pipeline cancellation. The agent sends SIGINT, waits 7.5 s, then SIGTERM, then kills; task-lib
// installs no handler. The first signal aborts cancellationSignal(), runs the registered clean-ups
// (cancel the AML job / ACR run) for at most 5 s, reports Cancelled and exits with 0 — well inside 7.5 s.
// The registry below is the one module-level state the contributor guide allows.
import * as tl from 'azure-pipelines-task-lib/task';

export const CLEANUP_BUDGET_MS = 5000;

interface Cleanup {
  run: () => Promise<void>;
  description: string;
}

interface Registry {
  controller: AbortController;
  cleanups: Set<Cleanup>;
  installed: boolean;
  cancelling: boolean;
}

const registry: Registry = { controller: new AbortController(), cleanups: new Set(), installed: false, cancelling: false };

/** Aborted on the first SIGINT/SIGTERM; pass it to waits and SDK calls. */
export function cancellationSignal(): AbortSignal {
  // a task that only passes the signal to its waits (no clean-up of its own) must still stop on SIGINT
  install();
  return registry.controller.signal;
}

/** True once a cancellation signal arrived (does not install the handlers). */
export function isCancelling(): boolean {
  return registry.controller.signal.aborted;
}

/** Registers a clean-up for cancellation (handlers are installed on first use); returns unregister. */
export function onCancel(cleanup: () => Promise<void>, description?: string): () => void {
  install();
  const entry: Cleanup = { run: cleanup, description: description ?? `clean-up ${registry.cleanups.size + 1}` };
  registry.cleanups.add(entry);
  return () => {
    registry.cleanups.delete(entry);
  };
}

/**
 * Installs the SIGINT/SIGTERM handlers now (runTask does, first thing): a signal that lands before the task has
 * registered any clean-up still reports Cancelled instead of Node's default exit by signal with no result.
 */
export function installCancellationHandlers(): void {
  install();
}

function install(): void {
  if (registry.installed) return;
  registry.installed = true;
  process.on('SIGINT', () => void handleSignal('SIGINT'));
  process.on('SIGTERM', () => void handleSignal('SIGTERM'));
}

function finish(signal: string): never {
  tl.setResult(tl.TaskResult.Cancelled, `The pipeline cancelled the task (${signal}).`);
  process.exit(0);
}

/** Runs the clean-ups within the budget, prints what happened, reports Cancelled and exits. Exported for tests. */
export async function handleSignal(signal: string, o: { budgetMs?: number; exit?: boolean } = {}): Promise<void> {
  if (registry.cancelling) {
    // a second signal (SIGTERM 7.5 s after SIGINT): stop now, the agent kills us soon
    console.log(`Received ${signal} again; stopping now.`);
    if (o.exit !== false) finish(signal);
    return;
  }
  registry.cancelling = true;
  const budget = o.budgetMs ?? CLEANUP_BUDGET_MS;
  const started = Date.now();
  const cleanups = [...registry.cleanups];
  console.log(`Received ${signal}: cancelling; ${cleanups.length} clean-up step(s), at most ${budget / 1000} s.`);
  registry.controller.abort(new Error(`Cancelled by ${signal}.`));
  let timer: NodeJS.Timeout | undefined;
  const results = cleanups.map((c) => ({ c, state: 'running' as 'running' | 'done' | 'failed', error: '' }));
  const all = Promise.all(
    results.map(async (r) => {
      try {
        await r.c.run();
        r.state = 'done';
      } catch (err) {
        r.state = 'failed';
        r.error = err instanceof Error ? err.message : String(err);
      }
    }),
  );
  await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, budget)))]);
  if (timer) clearTimeout(timer);
  for (const r of results) {
    if (r.state === 'done') console.log(`Cancel: ${r.c.description}: done.`);
    else if (r.state === 'failed') console.log(`Cancel: ${r.c.description}: failed: ${r.error.replace(/\r?\n/g, ' ')}`);
    else console.log(`Cancel: ${r.c.description}: did not finish within ${budget / 1000} s; it may still be running in Azure.`);
  }
  console.log(`Cancellation handled in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  if (o.exit !== false) finish(signal);
}
