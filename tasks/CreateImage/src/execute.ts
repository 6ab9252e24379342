// CreateImage's one write: the image in the registry, built by ACR Tasks from the planned context (or an image of the
// same context reused and tagged).
import type { WorkspaceScope } from '../../shared/src/azure';
import type { ImageAzureCalls } from './azureCalls';
import type { ImageResult } from './image';
import type { ImagePlan } from './prepare';

export async function execute(scope: WorkspaceScope<'ml' | 'acr'>, plan: ImagePlan, az: ImageAzureCalls): Promise<ImageResult> {
  const p = plan.inputs;
  return az.ensureImage(scope, plan.registry, plan.context, plan.target, { reuse: p.reuseExistingImage, timeoutMs: p.timeoutMs, upstream: { 'azureml.model': plan.model.id } });
}
