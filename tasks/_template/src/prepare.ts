// Everything the task reads before it writes, into a plain object (the plan). Nothing here changes Azure, so a
// missing resource stops the task with nothing changed. Each request goes through azureCall (its failure names the
// action and the resource; `{ notFound: 'undefined' }` where "missing" is an answer), e.g.
//   const c = await azureCall('Reading', `compute '${name}'`, () => scope.clients.ml.computeOperations.get(scope.resourceGroup, scope.workspaceName, name), { notFound: 'undefined' });
import type { WorkspaceScope } from '../../shared/src/azure';
import type { TemplateInputs } from './inputs';

export interface TemplatePlan {
  workspaceId: string;
  location: string;
}

export async function prepare(scope: WorkspaceScope, _p: TemplateInputs): Promise<TemplatePlan> {
  // the workspace itself was read when the scope was opened
  return { workspaceId: scope.ws.id, location: scope.ws.location };
}
