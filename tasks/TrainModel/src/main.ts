// TrainModel's main: readInputs (pure) and the code snapshot → createAzureContext → the workspace → prepare (reads
// only: every name is checked before the first write) → execute (code version, environment, the job) → follow (wait,
// metrics, outputs and summary) → the outcome (tasks/TrainModel/README.md).
// Its Azure calls come in through `deps`, so the L0 tests hand it recording fakes instead of mocking modules by path.
import { type ContextWith, createAzureContext, machineLearning, rawArm } from '../../shared/src/azure';
import { InputError, type Outcome } from '../../shared/src/task';
import { azureCalls, type TrainAzureCalls } from './azureCalls';
import { execute } from './execute';
import { followJob } from './follow';
import { readInputs } from './inputs';
import { prepare } from './prepare';
import { formatBytes, snapshotCode } from './snapshot';

export interface TrainDeps {
  createAzureContext(): ContextWith<'ml' | 'arm'>;
  azure: TrainAzureCalls;
}

export const azureDeps: TrainDeps = {
  createAzureContext: () => createAzureContext({ ml: machineLearning, arm: rawArm }),
  azure: azureCalls,
};

export async function main(deps: TrainDeps = azureDeps): Promise<Outcome> {
  const az = deps.azure;
  const p = readInputs();
  const snapshot = snapshotCode(p.codePath);
  if (snapshot.files.length === 0) throw new InputError('codePath', `'${p.codePath}' has no files left after .amlignore/.gitignore`, 'a folder with the training code');
  console.log(`Code snapshot: ${snapshot.files.length} files, ${formatBytes(snapshot.totalBytes)} (${snapshot.ignoredCount} ignored), sha256 ${snapshot.hash}`);

  const ctx = deps.createAzureContext();
  const scope = await az.openWorkspace(ctx, p.resourceGroup, p.workspaceName);
  const plan = await prepare(scope, { inputs: p, snapshot }, az);
  const job = await execute(scope, plan, az);
  return followJob(scope, plan, job, az);
}
