// The compute cluster must exist before anything is uploaded: an unknown compute is a bad input.
import { azureCall } from '../../shared/src/errors';
import { InputError, quote } from '../../shared/src/inputs';
import type { WorkspaceScope } from '../../shared/src/workspace';

export interface ComputeInfo {
  id: string;
  name: string;
  computeType?: string;
}

export async function checkCompute(scope: WorkspaceScope, name: string): Promise<ComputeInfo> {
  const { ws, clients: { ml: client } } = scope;
  const c = await azureCall('Reading', `compute '${name}' of workspace '${ws.name}'`, () => client.computeOperations.get(ws.resourceGroup, ws.name, name), { notFound: 'undefined' });
  if (c) return { id: c.id ?? `${ws.id}/computes/${name}`, name: c.name ?? name, computeType: c.properties?.computeType };
  // name what exists, so the fix is obvious (best effort: a failed listing only shortens the message)
  const names: string[] = [];
  try {
    for await (const c of client.computeOperations.list(ws.resourceGroup, ws.name)) if (c.name) names.push(c.name);
  } catch {
    // ignore
  }
  const available = names.length > 0 ? `one of ${names.map((n) => `'${n}'`).join(', ')}` : 'the name of a compute cluster of the workspace';
  throw new InputError('compute', `compute ${quote(name)} does not exist in workspace '${ws.name}'`, available);
}
