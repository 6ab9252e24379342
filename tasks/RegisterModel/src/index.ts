// RegisterModel: gate a candidate model against production and register it, or promote a version.
import { createAzureContext, machineLearning } from '../../shared/src/azure';
import { resolveWorkspace } from '../../shared/src/workspace';
import { failed, runTask, setOutput, succeeded, succeededWithIssues } from '../../shared/src/task';
import { readInputs } from './inputs';
import { runPromote } from './runPromote';
import { runRegister, TaskOutcome } from './runRegister';

function setOutputs(o: TaskOutcome): void {
  const v = o.version;
  setOutput('modelName', o.modelName);
  setOutput('modelVersion', v?.version ?? '');
  setOutput('modelId', v ? `azureml:${o.modelName}:${v.version}` : '');
  setOutput('modelAssetId', v?.id ?? '');
  setOutput('gateResult', o.gateResult);
  setOutput('registered', String(o.registered));
}

void runTask(async () => {
  const p = readInputs();
  const ctx = createAzureContext({ ml: machineLearning });
  const ws = await resolveWorkspace(ctx, p.resourceGroup, p.workspaceName);
  const outcome = p.action === 'promote' ? await runPromote(ctx, ws, p) : await runRegister(ctx, ws, p);
  setOutputs(outcome);
  if (outcome.failure) return failed(outcome.failure);
  if (outcome.issues) return succeededWithIssues(outcome.issues);
  return succeeded();
});
