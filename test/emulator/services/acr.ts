// Azure Container Registry for the emulator: registries (ARM), ACR Tasks (listBuildSourceUploadUrl,
// scheduleRun of a DockerBuildRequest, runs get/list/cancel/listLogSasUrl) and the registry data plane
// (<name>.azurecr.localhost: /oauth2/exchange, /oauth2/token, /v2/ manifests).
import type { EmulatorState } from '../state';
import type { EmulatorApi, ServiceModule } from '../types';

/** One stored image: the same record is reachable by `loginServer/repo:tag` and `loginServer/repo@sha256:…`. */
export interface StoredImage {
  digest: string;
  /** Extracted build context on disk (what the image would contain): Dockerfile, scoring/, model/, environment/. */
  contextDir: string;
  labels: Record<string, string>;
}

/**
 * The image store, for other emulator services (ACI runs `contextDir`) and tests.
 * Keys: `<loginServer>/<repo>:<tag>` and `<loginServer>/<repo>@sha256:<hex>`; loginServer is
 * `<registry>.azurecr.localhost:<emulatorPort>` (lower-case registry name).
 */
export function images(emulator: { state: EmulatorState }): Map<string, StoredImage> {
  return emulator.state.bucket<StoredImage>('acr.images');
}

const service: ServiceModule = {
  name: 'acr',
  register(_emu: EmulatorApi) {
    // Routes follow.
  },
};
export default service;
