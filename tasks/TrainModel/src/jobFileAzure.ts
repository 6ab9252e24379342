// The job-file module's reads and writes on a real workspace (its JobFileReader / JobFileWriter):
// code folders become code versions named by content hash (the same snapshot rule and upload as the
// `codePath` input: .amlignore/.gitignore, reuse when the hash exists), `@latest` is the container's
// latestVersion, and anonymous environments and components are created unless their version exists
// (versions are immutable; their names are content hashes, so an existing one is the same content).
// The bodies the plan holds are already the wire JSON of API 2022-10-01, so they go out as raw ARM PUTs.
import { azureCall } from '../../shared/src/errors';
import { InputError } from '../../shared/src/task';
import { datastoreContainer, type WorkspaceScope } from '../../shared/src/workspace';
import { CODE_VERSION, codeVersionArmId, ensureCodeVersion, formatBytes, snapshotCode, type CodeSnapshot } from '../../shared/src/assets';
import { JOB_API_VERSION } from './job';
import type { ComponentVersionBody, EnvironmentVersionBody, JobFileReader, JobFileWriter } from './jobfile';

export interface JobFileAzure {
  reader: JobFileReader;
  writer: JobFileWriter;
}

export function jobFileAzure(scope: WorkspaceScope<'ml' | 'arm'>, o: { tags: Record<string, string>; log?: (line: string) => void }): JobFileAzure {
  const log = o.log ?? ((l: string) => console.log(l));
  const snapshots = new Map<string, CodeSnapshot>();
  const { ctx, ws } = scope;
  const arm = scope.clients.arm;
  const assetPath = (kind: string, name: string, version?: string): string =>
    `${ws.id}/${kind}/${encodeURIComponent(name)}${version === undefined ? '' : `/versions/${encodeURIComponent(version)}`}`;

  const reader: JobFileReader = {
    workspaceId: ws.id,
    async codeVersionId(folder) {
      const snapshot = snapshotCode(folder);
      if (snapshot.files.length === 0) throw new InputError('jobFile', `code folder '${folder}' has no files left after .amlignore/.gitignore`, 'a folder with the training code');
      snapshots.set(folder, snapshot);
      return codeVersionArmId(ws, snapshot.hash, CODE_VERSION);
    },
    async latestVersion(kind, name) {
      const c = await azureCall('Reading', `${kind} container '${name}' of workspace '${ws.name}'`, () =>
        arm.request<{ properties?: { latestVersion?: string | null } }>('GET', assetPath(kind, name), JOB_API_VERSION), { notFound: 'undefined' });
      return c?.properties?.latestVersion ?? undefined;
    },
  };

  const ensureVersion = async (kind: 'environments' | 'components', name: string, version: string, body: EnvironmentVersionBody | ComponentVersionBody): Promise<void> => {
    const what = `${kind === 'environments' ? 'environment' : 'component'} '${name}:${version}' in workspace '${ws.name}'`;
    const existing = await azureCall('Reading', what, () => arm.request<unknown>('GET', assetPath(kind, name, version), JOB_API_VERSION), { notFound: 'undefined' });
    if (existing) {
      log(`Reusing ${what}.`);
      return;
    }
    await azureCall('Registering', what, () => arm.request<unknown>('PUT', assetPath(kind, name, version), JOB_API_VERSION, body));
    log(`Registered ${what}.`);
  };

  const writer: JobFileWriter = {
    async ensureCodeVersion(folder) {
      const snapshot = snapshots.get(folder) ?? snapshotCode(folder);
      const cv = await ensureCodeVersion({ scope, snapshot, container: () => datastoreContainer(ctx, ws), tags: o.tags });
      log(cv.reused
        ? `Code ${folder}: ${snapshot.files.length} files already registered as code version ${cv.name}:${cv.version}, nothing uploaded.`
        : `Code ${folder}: uploaded ${cv.uploadedFiles} files (${formatBytes(cv.uploadedBytes)}) and registered code version ${cv.name}:${cv.version}.`);
    },
    ensureEnvironmentVersion: (name, version, body) => ensureVersion('environments', name, version, body),
    ensureComponentVersion: (name, version, body) => ensureVersion('components', name, version, body),
  };
  return { reader, writer };
}
