// Demo act 3, operate: a week of production data reaches the deployed model, one feature (temperature_c)
// drifts from day 5, MonitorModel flags exactly that feature and queues the training pipeline through the
// Azure DevOps REST API, and the queued training run goes through RegisterModel's gate, which decides whether
// the retrained model replaces production. scripts/demo.ts calls monitorAct after the build and release acts.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { TestBed } from '../../test/harness/testbed';
import { addDataVersion } from '../../test/emulator/services/aml-data';
import { addPipeline, queuedRuns } from '../../test/emulator/services/devops-pipelines';

/** The pieces of scripts/demo.ts the act uses (passed in, so the two modules do not import each other). */
export interface MonitorActContext<Stage> {
  root: string;
  work: string;
  bed: TestBed;
  say(line?: string): void;
  dim(text: string): string;
  bold(text: string): string;
  /** a stage mirroring a pipeline run: its steps, variables and run id */
  pipelineVariables(kind: 'build' | 'release', runId: number): Record<string, string>;
  monitorStage(title: string, variables: Record<string, string>, inputs: Record<string, string>): Stage;
  /** the training pipeline's stage (build.yml) for a run queued with this id */
  retrainStage(title: string, runId: number): Stage;
  runStage(stage: Stage, index: number): Promise<boolean>;
  /** outputs of the last run of a step, by its reference name */
  outputsOf(stepName: string): Record<string, string> | undefined;
}

/** The id build.yml has in the demo's Azure DevOps project (examples/pipelines/monitor.yml: trainingPipelineId). */
export const TRAINING_PIPELINE_ID = 12;
const ENDPOINT = 'building-energy-test';
const DEPLOYMENT = 'default';

function uploadTree(bed: TestBed, container: string, dir: string, prefix: string): Promise<number> {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      if (e.isDirectory()) walk(abs);
      else files.push(abs);
    }
  };
  walk(dir);
  const c = bed.container(container);
  return Promise.all(files.map((f) => c.getBlockBlobClient(`${prefix}${path.relative(dir, f).split(path.sep).join('/')}`).uploadFile(f))).then(() => files.length);
}

export async function monitorAct<Stage>(c: MonitorActContext<Stage>, firstStageIndex: number): Promise<boolean> {
  const emu = c.bed.emulator;
  const container = emu.state.getWorkspace('rg-ml', 'mlw')?.datastores.get('workspaceblobstore')?.containerName;
  if (!container) throw new Error('the emulator has no workspaceblobstore datastore for rg-ml/mlw');

  // a week up to the current hour, as the scoring container's collector would have written it
  const hour = new Date(Math.floor(Date.now() / 3600_000) * 3600_000);
  const start = new Date(hour.getTime() - 168 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const collected = path.join(c.work, 'collected');
  const gen = spawnSync('python3', [path.join(c.root, 'examples', 'project', 'tools', 'make_data.py'), '--collect', collected,
    '--endpoint', ENDPOINT, '--deployment', DEPLOYMENT, '--start', start, '--hours', '168', '--rows-per-hour', '30',
    '--drift-feature', 'temperature_c', '--drift-shift', '10', '--drift-from-hour', '96'], { encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(`make_data.py --collect failed: ${gen.stderr}`);
  const files = await uploadTree(c.bed, container, collected, 'modelDataCollector/');
  // the one-time set-up examples/pipelines/monitor.yml names: the training data registered as a data asset
  await c.bed.container(container).getBlockBlobClient('datasets/building-energy/train.csv').uploadFile(path.join(c.root, 'examples', 'project', 'data', 'train.csv'));
  addDataVersion(emu, 'building-energy-train', '1', { dataType: 'uri_file', dataUri: 'azureml://datastores/workspaceblobstore/paths/datasets/building-energy/train.csv' });
  addPipeline(emu, { id: TRAINING_PIPELINE_ID, name: 'aml-build', project: 'energy', parameters: { retrainReason: '', driftWindow: '' } });

  c.say();
  c.say(c.bold('━━━ Operate: a week of production data ━━━'));
  c.say(c.dim(`[production traffic is simulated: examples/project/tools/make_data.py --collect wrote ${gen.stdout.trim().replace(/^wrote /, '')}`));
  c.say(c.dim(`  → ${files} hour file(s) uploaded to the workspace datastore under modelDataCollector/${ENDPOINT}/${DEPLOYMENT}/, where DeployToACI's`));
  c.say(c.dim(`    data asset ${ENDPOINT}-${DEPLOYMENT}-model_inputs points; build.yml is pipeline ${TRAINING_PIPELINE_ID} in the Azure DevOps project]`));

  const monitorVars = { ...c.pipelineVariables('build', 8001), 'Build.DefinitionName': 'aml-monitor', 'Build.Reason': 'Schedule' };
  const monitor = c.monitorStage('Monitor run 8001 (scheduled): drift over the last week', monitorVars, {
    azureSubscription: 'aml-production', resourceGroup: 'rg-ml', workspaceName: 'mlw', modelName: 'building-energy',
    // the generated week up to the current hour; the few requests ProbeEndpoint sent in this hour stay outside
    productionData: `${ENDPOINT}-${DEPLOYMENT}-model_inputs`, from: start, to: hour.toISOString().replace(/\.\d{3}Z$/, 'Z'), referenceData: 'building-energy-train:1',
    targetColumn: 'energy_kwh', onDrift: 'retrain', retrainPipelineId: String(TRAINING_PIPELINE_ID), retrainBranch: 'main',
  });
  await c.runStage(monitor, firstStageIndex);
  const out = c.outputsOf('monitor');
  // anything but exactly the drifted feature ends the demo as a failure (main reports the thrown error)
  if (!out || out.driftedFeatures !== 'temperature_c') throw new Error(`act 3: the monitor flagged ${JSON.stringify(out?.driftedFeatures ?? null)}, expected exactly "temperature_c"`);
  const queued = queuedRuns(emu).filter((r) => r.pipelineId === TRAINING_PIPELINE_ID);
  if (queued.length !== 1) throw new Error(`act 3: Azure DevOps holds ${queued.length} queued run(s) of pipeline ${TRAINING_PIPELINE_ID}, expected 1`);
  const run = queued[0];
  c.say();
  c.say(`Azure DevOps queued run ${run.id} of aml-build on ${run.refName}: retrainReason="${run.templateParameters.retrainReason}", driftWindow=${run.templateParameters.driftWindow}`);
  // the queued run is build.yml: train → RegisterModel's gate against production decides
  return c.runStage(c.retrainStage(`Build run ${run.id}: retraining queued by MonitorModel`, run.id), firstStageIndex + 1);
}
