// Demo act (issue 20): train from the job YAML a team already has — a hyperparameter sweep and a two-step
// pipeline (examples/jobs/sweep.yml, examples/jobs/pipeline.yml) — and register the best model through the
// gate. The emulator plays the sweep's trials and the pipeline's steps as child jobs; their model output and
// metrics come from train.py run on this machine (the demo's TrainingBackend), so the registered model is real.
//
//   build run 1003  TrainModel jobFile=examples/jobs/sweep.yml      → RegisterModel $(sweep.jobName) (the best trial)
//   build run 1004  TrainModel jobFile=examples/jobs/pipeline.yml   → RegisterModel $(pipeline.jobName) (the train step)
import { jobScripts, type JobScript } from '../../test/emulator/services/aml-jobs';
import type { TestBed } from '../../test/harness/testbed';
import type { Hyper, Stage, TrainingBackend } from '../demo';

/** The steps of these stages (the demo is complete when every one ran as expected). */
export const JOB_FILE_STEPS = 4;

const AML = { azureSubscription: 'aml-production', resourceGroup: 'rg-ml', workspaceName: 'mlw' };

const gate = (jobName: string, modelName: string): Record<string, string> => ({
  ...AML, action: 'register', modelName, modelSourceType: 'job', jobName, jobOutputName: 'model', modelType: 'custom_model',
  gateMetric: 'rmse', gateDirection: 'lowerIsBetter', gateThreshold: '5', compareWithProduction: 'true', minImprovement: '0',
  productionTag: 'stage=production', onGateFailure: 'fail',
});

/** The next AML job's script as the training backend left it (model files, metrics, log of a local train.py run). */
async function trainedScript(bed: TestBed, training: TrainingBackend, hyper: Hyper): Promise<JobScript> {
  await training.beforeJob(hyper);
  return { ...(jobScripts(bed.emulator).get('*') ?? {}) };
}

/**
 * The two stages. `variables(runId)` gives the build pipeline's variables (scripts/demo.ts pipelineVariables).
 * Before the sweep: four trials whose RMSE brackets the locally trained model's, so the grid's best trial
 * (learning rate 0.1, 300 epochs) carries that model; before the pipeline: its train step produces it.
 */
export function jobFileStages(o: { bed: TestBed; training: TrainingBackend; hyper: Hyper; variables: (runId: number) => Record<string, string> }): Stage[] {
  const { bed, training, hyper } = o;
  return [
    {
      title: 'Build run 1003: a hyperparameter sweep from YAML → the best trial → gate → register',
      variables: o.variables(1003),
      steps: [
        {
          name: 'sweep', task: 'TrainModel', displayName: 'Sweep on Azure ML (examples/jobs/sweep.yml)',
          before: async () => {
            const s = await trainedScript(bed, training, hyper);
            const rmse = s.metrics?.rmse;
            const base = typeof rmse === 'number' ? rmse : 3;
            // grid order: (0.03, 100), (0.03, 300), (0.1, 100), (0.1, 300): the last one is the model trained above
            const trials = [1.6, 1.25, 1.3, 1].map((f) => ({ metrics: { ...(s.metrics as Record<string, number>), rmse: Number((base * f).toFixed(4)) } }));
            jobScripts(bed.emulator).set('*', { ...s, trials });
          },
          inputs: { ...AML, jobFile: 'examples/jobs/sweep.yml', pollIntervalSeconds: '0.5', timeoutMinutes: '60' },
        },
        { name: 'register', task: 'RegisterModel', displayName: 'Gate and register the best trial\'s model', inputs: gate('$(sweep.jobName)', 'building-energy-sweep') },
      ],
    },
    {
      title: 'Build run 1004: a two-step pipeline from YAML → the train step\'s model → gate → register',
      variables: o.variables(1004),
      steps: [
        {
          name: 'pipeline', task: 'TrainModel', displayName: 'Pipeline on Azure ML (examples/jobs/pipeline.yml)',
          before: async () => {
            const s = await trainedScript(bed, training, hyper);
            jobScripts(bed.emulator).set('*', { ...s, steps: { train: { metrics: s.metrics as Record<string, number>, outputFiles: s.outputFiles, outputName: 'model' } } });
          },
          inputs: { ...AML, jobFile: 'examples/jobs/pipeline.yml', modelOutputName: 'train.model', pollIntervalSeconds: '0.5', timeoutMinutes: '60' },
        },
        { name: 'register', task: 'RegisterModel', displayName: 'Gate and register the train step\'s model', inputs: gate('$(pipeline.jobName)', 'building-energy-pipeline') },
      ],
    },
  ];
}
