// What the job-file module needs from Azure, injected so the module stays pure. Planning gets only the
// read side (JobFileReader); the writes (JobFileWriter) happen afterwards, from the finished plan.
import type { ComponentSpec } from './components';

export interface JobFileReader {
  /** ARM id of the workspace: /subscriptions/…/workspaces/<name>. */
  readonly workspaceId: string;
  /**
   * The code version a local folder becomes (content-hash name, honouring .amlignore/.gitignore):
   * hashes local files, writes nothing.
   */
  codeVersionId(folder: string): Promise<string>;
  /** The newest version of an environment, data asset, model or component (for `name@latest`); undefined when none. */
  latestVersion(kind: 'environments' | 'data' | 'models' | 'components', name: string): Promise<string | undefined>;
}

export interface EnvironmentVersionBody {
  properties: { image: string; condaFile?: string; osType?: string; isAnonymous: boolean; description?: string; tags?: Record<string, string> };
}

export interface ComponentVersionBody {
  properties: { componentSpec: ComponentSpec; isAnonymous: boolean; isArchived?: boolean; description?: string; tags?: Record<string, string>; properties?: Record<string, string> };
}

export interface JobFileWriter {
  /** Uploads the folder and registers it as `id` unless that code version exists. */
  ensureCodeVersion(folder: string, id: string): Promise<void>;
  /** Creates the environment version unless it exists. */
  ensureEnvironmentVersion(name: string, version: string, body: EnvironmentVersionBody): Promise<void>;
  /** Creates the component version unless it exists. */
  ensureComponentVersion(name: string, version: string, body: ComponentVersionBody): Promise<void>;
}
