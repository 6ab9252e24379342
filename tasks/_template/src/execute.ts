// The writes, after every read succeeded. A long-running operation is started with beginOperation and
// followed with followOperation (back-off, timeout naming an input, state lines, cancellation), e.g.
//   const op = await beginOperation(() => scope.clients.ml.onlineEndpoints.beginCreateOrUpdate(scope.resourceGroup, scope.workspaceName, name, body), names);
//   await followOperation(op, { what: `endpoint '${name}'`, timeoutMs, timeoutInput: 'timeoutMinutes', abortSignal: cancellationSignal() });
// This template writes nothing in Azure: it sets its output and the run summary.
import type { WorkspaceScope } from '../../shared/src/azure';
import { MarkdownSummary, setOutput } from '../../shared/src/task';
import type { TemplatePlan } from './prepare';

export async function execute(scope: WorkspaceScope, plan: TemplatePlan): Promise<void> {
  setOutput('workspaceId', plan.workspaceId);
  new MarkdownSummary().heading(`Workspace ${scope.workspaceName}`, 3).table(['', ''], [['Id', plan.workspaceId], ['Location', plan.location]]).write(`Template ${scope.workspaceName}`);
}
