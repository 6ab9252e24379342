// The demo's production act (release.yml's Production and Promote stages): after the test stage (ACI + probe)
// and the approval on environment `aml-production`, DeployOnlineEndpoint puts the model on a managed online
// endpoint, then two later releases show a blue/green rollout rolled back by a failing step and one that
// succeeds, each followed (only when it succeeded) by the promotion of the model version.
//   release 7001: the model of build 1001 — the first deployment on the endpoint takes all traffic; promote.
//   release 7002: a hotfix registered by hand (20 epochs, no quality gate) — its step 1 (mirror 10 %) fails on
//                 agreement with blue, all traffic goes back; nothing is promoted.
//   release 7003: the model retrained with the production settings — mirror 10, 10, 50, 100, then promote.
import * as path from 'node:path';
import { GOOD_HYPER, pipelineVariables, trainLocally, type Result, type Stage, type Step } from '../demo';

const AML = { azureSubscription: 'aml-production', resourceGroup: 'rg-ml', workspaceName: 'mlw' };
const project = (p: string): string => path.join('examples', 'project', p);

function rollout(name: string, displayName: string, modelId: string, expect?: Result[]): Step {
  return {
    name, task: 'DeployOnlineEndpoint', displayName, ...(expect ? { expect } : {}),
    inputs: {
      ...AML, endpointName: 'building-energy', modelId, authMode: 'key',
      scoringScript: project('src/score.py'), codePath: project('src'), condaFile: project('environment/conda.yml'),
      instanceType: 'Standard_DS3_v2', instanceCount: '1', maxConcurrentRequestsPerInstance: '4', collectData: 'true',
      rolloutSteps: 'mirror:10, 10, 50, 100', stepWaitMinutes: '0', pollIntervalSeconds: '1',
      payloadFile: project('samples/payload.jsonl'), tolerance: '0.000001', requestCount: '40', concurrency: '2',
      maxLatencyP95Ms: '500', maxErrorRate: '0', minAgreement: '1',
    },
  };
}

const promote = (version: string): Step => ({
  name: 'promote', task: 'RegisterModel', displayName: 'Promote the model version',
  inputs: { ...AML, action: 'promote', modelName: 'building-energy', modelVersion: version, productionTag: 'stage=production' },
});

/** Registers a locally trained model folder (RegisterModel, source local, no gate): the release's candidate. */
function registerLocal(displayName: string): Step {
  return {
    name: 'candidate', task: 'RegisterModel', displayName,
    inputs: {
      ...AML, action: 'register', modelName: 'building-energy', modelSourceType: 'local', modelPath: '$(candidate.path)', modelType: 'custom_model',
      // the training run's metrics go with the version: the next build's gate compares against them
      metricsFile: '$(candidate.metrics)',
      description: 'Registered from a local training run',
    },
  };
}

export interface ProductionAct {
  /** Runs one stage as the demo runs every stage; false when a step ended unexpectedly. */
  runStage(stage: Stage): Promise<boolean>;
  /** A scratch folder of the demo. */
  work: string;
}

/** The three production releases; returns false when a step ended other than the demo expects. */
export async function productionAct(act: ProductionAct, first: { modelId: string; modelVersion: string }): Promise<boolean> {
  console.log('\n##[section]Approval: environment aml-production — the probe results of the test stage were reviewed; approved.');
  const r1 = await act.runStage({
    title: `Release 7001: production — ${first.modelId} on online endpoint building-energy (first deployment), then promote`,
    variables: { ...pipelineVariables('release', 7001), 'model.modelId': first.modelId },
    steps: [rollout('online', 'Roll out on the production endpoint', '$(model.modelId)'), promote(first.modelVersion)],
  });
  if (!r1) return false;

  const hotfix = trainLocally({ learningRate: GOOD_HYPER.learningRate, epochs: 20 }, path.join(act.work, 'hotfix')).modelDir;
  const r2 = await act.runStage({
    title: 'Release 7002: a hotfix registered by hand (20 epochs, no quality gate) — rolled back by its first step',
    variables: { ...pipelineVariables('release', 7002), 'candidate.path': hotfix, 'candidate.metrics': path.join(hotfix, 'metrics.json') },
    steps: [registerLocal('Register the hotfix model (no gate)'), rollout('online', 'Roll out on the production endpoint', '$(candidate.modelId)', ['Failed'])],
  });
  // runStage reports false for the failed rollout (expected, and checked by the demo's report); the next release still runs
  void r2;

  const retrained = trainLocally(GOOD_HYPER, path.join(act.work, 'retrained')).modelDir;
  return act.runStage({
    title: 'Release 7003: the model retrained with the production settings — blue/green in four steps, then promote',
    variables: { ...pipelineVariables('release', 7003), 'candidate.path': retrained, 'candidate.metrics': path.join(retrained, 'metrics.json') },
    steps: [
      registerLocal('Register the retrained model'),
      rollout('online', 'Roll out on the production endpoint', '$(candidate.modelId)'),
      promote('$(candidate.modelVersion)'),
    ],
  });
}
