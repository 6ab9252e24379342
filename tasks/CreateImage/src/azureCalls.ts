// The task's calls to Azure, one function each (the workspace, the model version and its files, the target
// registry, the image: ACR Tasks build or reuse). main gets them through its deps, so the L0 tests hand it
// recording fakes instead of mocking modules by path; the build context, outputs and summary run for real.
import { openWorkspace } from '../../shared/src/workspace';
import { ensureImage } from './image';
import { modelFiles, resolveModel } from './model';
import { resolveRegistry } from './targetRegistry';

export interface ImageAzureCalls {
  openWorkspace: typeof openWorkspace;
  resolveModel: typeof resolveModel;
  modelFiles: typeof modelFiles;
  resolveRegistry: typeof resolveRegistry;
  ensureImage: typeof ensureImage;
}

export const azureCalls: ImageAzureCalls = { openWorkspace, resolveModel, modelFiles, resolveRegistry, ensureImage };
