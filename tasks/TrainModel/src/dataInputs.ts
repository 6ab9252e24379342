// Data-asset job inputs (`azureml:<name>:<version>`, `azureml:<name>@latest`) become the data version's
// ARM id, with the asset's own type (uri_file / uri_folder / mltable), before the job PUT — as the
// official client does (azure-ai-ml `_job_operations._resolve_job_input`). `@latest` is a label of the
// client, not of the service: it is the container's `latestVersion`. A missing asset names the input.
import { describeAzureError, statusOf, TaskError } from '../../shared/src/errors';
import { InputError } from '../../shared/src/inputs';
import type { WorkspaceScope } from '../../shared/src/workspace';
import type { JobInputSpec } from './inputs';

const ASSET = /^azureml:([^:@/]+)(?::([^:@/]+)|@latest)\/?$/i;

export type ResolvedJobInput = { type: 'literal'; value: string } | { type: 'uri_file' | 'uri_folder' | 'mltable'; value: string };

export async function resolveDataInputs(scope: WorkspaceScope, inputs: Map<string, JobInputSpec>): Promise<Map<string, ResolvedJobInput>> {
  const { ws, clients: { ml: client } } = scope;
  const out = new Map<string, ResolvedJobInput>();
  for (const [name, spec] of inputs) {
    const m = spec.type === 'literal' ? null : ASSET.exec(spec.value);
    if (!m) {
      out.set(name, spec);
      continue;
    }
    const [, asset, pinned] = m;
    const what = `data asset '${asset}${pinned ? `:${pinned}` : '@latest'}' of input '${name}'`;
    const notFound = (): InputError => new InputError('jobInputs', `${what} does not exist in workspace '${ws.name}'`, "an existing data asset ('azureml:<name>:<version>' or 'azureml:<name>@latest')");
    try {
      let version: string | undefined = pinned;
      if (!version) {
        const container = await client.dataContainers.get(ws.resourceGroup, ws.name, asset);
        version = container.properties.latestVersion ?? undefined;
        if (!version) throw notFound();
      }
      const v = await client.dataVersions.get(ws.resourceGroup, ws.name, asset, version);
      if (!v.id) throw new TaskError(`Azure returned the ${what} without an id.`);
      out.set(name, { type: v.properties.dataType as 'uri_file' | 'uri_folder' | 'mltable', value: v.id });
    } catch (err) {
      if (err instanceof InputError || err instanceof TaskError) throw err;
      if (statusOf(err) === 404) throw notFound();
      throw new TaskError(describeAzureError(err, { action: 'Reading', resource: what }));
    }
  }
  return out;
}
