// Everything the task reads before it writes. Nothing here changes Azure, so a missing resource stops the
// task with nothing changed. Each request goes through azureCall (its failure names the action and resource).
import { azureCall, type ContextWith } from '../../shared/src/azure';
import { TaskError } from '../../shared/src/task';
import type { TemplateInputs } from './inputs';

export interface TemplatePlan {
  workspaceId: string;
  location: string;
}

export async function prepare(ctx: ContextWith<'ml'>, p: TemplateInputs): Promise<TemplatePlan> {
  const what = `workspace '${p.workspaceName}' in resource group '${p.resourceGroup}'`;
  const ws = await azureCall('Reading', what, () => ctx.clients.ml.workspaces.get(p.resourceGroup, p.workspaceName), { notFound: 'undefined' });
  if (!ws?.id) throw new TaskError(`The ${what} does not exist. Expected an existing Azure ML workspace.`);
  return { workspaceId: ws.id, location: ws.location ?? '' };
}
