// The pipeline's cancel hook while a build is being scheduled (README "Security", docs/SHARED-API.md cancellation).
// scheduleRun can take a while (its long-running operation, a look for the run after a lost reply) and the run exists
// in the registry as soon as the registry took the request: a cancel that lands meanwhile waits for the scheduling to
// settle and cancels the run it created or adopted. The wait is bounded by the clean-up budget of cancellation.ts
// (the agent stops the task soon after SIGINT). Same shape as TrainModel's hook around its job submission.
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { onCancel } from '../../shared/src/cancellation';
import type { Scheduled } from './scheduleRun';
import type { RegistryInfo } from './targetRegistry';

export interface SchedulingCancelHook {
  /** The scheduling in progress; returned unchanged. */
  scheduling(p: Promise<Scheduled>): Promise<Scheduled>;
  /** Unregisters the hook: call it in the same tick as the follower registers its own (no cancel falls between). */
  release(): void;
}

/** Registers the hook; register it before scheduling starts. Before that nothing exists to cancel. */
export function schedulingCancelHook(client: Pick<ContainerRegistryManagementClient, 'runs'>, registry: RegistryInfo): SchedulingCancelHook {
  let pending: Promise<Scheduled> | undefined;
  const release = onCancel(async () => {
    const scheduled = pending ? await pending.then((s) => s, () => undefined) : undefined;
    const runId = scheduled?.run.runId ?? scheduled?.run.name;
    if (!runId) return; // nothing was scheduled (or it failed): no run to cancel
    console.log(`Cancelling ACR run ${runId} in registry ${registry.name} (scheduled while the pipeline was cancelled)...`);
    await client.runs.beginCancel(registry.resourceGroup, registry.name, runId);
  }, `cancel ACR run being scheduled in registry ${registry.name}`);
  return {
    scheduling: (p) => (pending = p),
    release,
  };
}
