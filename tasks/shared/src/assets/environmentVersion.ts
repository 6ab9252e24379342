// Environment versions: the ARM id of one, the content-hash version of a conda environment (the same file
// on the same base image is registered once), and the newest of a list (for 'azureml:<name>@latest').
// Used by TrainModel (job environments) and DeployOnlineEndpoint (deployment environments).
import { createHash } from 'node:crypto';
import type { EnvironmentVersion } from '@azure/arm-machinelearning';
import type { WorkspaceInfo } from '../workspace';

export function environmentArmId(ws: Pick<WorkspaceInfo, 'id'>, name: string, version: string): string {
  return `${ws.id}/environments/${name}/versions/${version}`;
}

/** Version name of a conda environment: the first 16 hex digits of sha256(conda file, base image). */
export function condaEnvironmentVersion(condaYaml: string, baseImage: string): string {
  const normalized = condaYaml.replace(/\r\n/g, '\n').trimEnd();
  return createHash('sha256').update(`${baseImage}\n${normalized}`).digest('hex').slice(0, 16);
}

/** The newest version by creation time (numeric version breaks ties); archived versions are not listed. */
export function newestVersion(versions: EnvironmentVersion[]): EnvironmentVersion | undefined {
  const created = (v: EnvironmentVersion): number => {
    const t = v.systemData?.createdAt;
    return t ? new Date(t).getTime() : 0;
  };
  const num = (v: EnvironmentVersion): number => (/^\d+$/.test(v.name ?? '') ? Number(v.name) : -1);
  return [...versions].sort((a, b) => created(b) - created(a) || num(b) - num(a))[0];
}
