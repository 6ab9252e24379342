// The writes, after every read succeeded. A long-running operation is started with beginOperation and
// followed with followOperation (back-off, timeout naming an input, state lines, cancellation), e.g.
//   const op = await beginOperation(() => ctx.clients.ml.onlineEndpoints.beginCreateOrUpdate(rg, ws, name, body), names);
//   await followOperation(op, { what: `endpoint '${name}'`, timeoutMs, timeoutInput: 'timeoutMinutes', abortSignal });
// This template writes nothing in Azure: it sets its output and the run summary.
import { MarkdownSummary, setOutput } from '../../shared/src/task';
import type { TemplateInputs } from './inputs';
import type { TemplatePlan } from './prepare';

export async function execute(p: TemplateInputs, plan: TemplatePlan): Promise<void> {
  setOutput('workspaceId', plan.workspaceId);
  new MarkdownSummary().heading(`Workspace ${p.workspaceName}`, 3).table(['', ''], [['Id', plan.workspaceId], ['Location', plan.location]]).write(`Template ${p.workspaceName}`);
}
