// Green's logs when it failed (provisioning, a step, a cancel): both containers of the deployment — the
// storage initializer (model and code download) and the inference server (init(), requests) — through
// getLogs. Their text comes from the user's container: printed neutralised, never as ##vso commands.
import { printUntrusted } from '../../shared/src/task';
import { getLogs, type ContainerType, type EndpointScope } from './onlineApi';
import type { OnlineContext } from './prepare';

export const LOG_TAIL_LINES = 100;
const CONTAINERS: ContainerType[] = ['StorageInitializer', 'InferenceServer'];

export async function printGreenLogs(ctx: OnlineContext, scope: EndpointScope, green: string): Promise<void> {
  for (const container of CONTAINERS) {
    console.log(`##[group]Logs of deployment '${green}', container ${container} (last ${LOG_TAIL_LINES} lines)`);
    try {
      const text = await getLogs(ctx, scope, green, container, LOG_TAIL_LINES);
      printUntrusted(text.trim() ? text : '(empty)');
    } catch (err) {
      console.log(`Could not read the log: ${err instanceof Error ? err.message : String(err)}`);
    }
    console.log('##[endgroup]');
  }
}

