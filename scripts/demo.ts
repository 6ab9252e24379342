// `npm run demo`: the whole lifecycle, run from the packaged .vsix exactly as an agent runs the
// tasks, against the local Azure emulator + Azurite. Prints what a pipeline log would show.
//
//   build run 1   TrainModel → RegisterModel (gate: no production model yet → noBaseline, registered)
//   release       CreateImage → DeployToACI → ProbeEndpoint → RegisterModel action=promote
//   build run 2   TrainModel (an under-trained candidate) → RegisterModel (worse than production: the gate stops the build)
//   build runs 3, 4  TrainModel from a sweep and a pipeline job YAML → RegisterModel of the best trial / the train step (scripts/demo/jobfiles.ts)
//
// Output variables flow from step to step the way a pipeline passes them: each step has a
// reference name (`train`, `register`, ...) and later inputs say `$(train.jobName)`.
// Summaries land in dist/demo/summaries/. DEMO_VERBOSE=1 expands the collapsed log groups. Exit code 0 when every step ends as expected.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { productionAct } from './demo/production';
import { startTestBed, type TestBed } from '../test/harness/testbed';
import { runTask, serviceConnectionEnv, type TaskRun } from '../test/harness/run-task';
import { jobScripts } from '../test/emulator/services/aml-jobs';
import { appInsightsComponents } from '../test/emulator/services/aci';
import { telemetryOf } from '../test/emulator/services/appinsights';
import { monitorAct } from './demo/monitor';
import { JOB_FILE_STEPS, jobFileStages } from './demo/jobfiles';
import { gateStopWords } from './demo/gateWords';

const root = path.resolve(__dirname, '..', '..');
// The tasks the demo's pipeline runs (its story, below): a task the story does not use needs no edit here.
export const TASKS = ['TrainModel', 'RegisterModel', 'CreateImage', 'DeployToACI', 'ProbeEndpoint', 'DeployOnlineEndpoint', 'MonitorModel'] as const;
export type TaskName = (typeof TASKS)[number];
export type Result = 'Succeeded' | 'SucceededWithIssues' | 'Failed' | 'Cancelled' | 'Skipped';

export interface Step {
  /** Reference name (`name:` in YAML): outputs are `$(<name>.<output>)`. */
  name: string;
  task: TaskName;
  displayName: string;
  inputs: Record<string, string>;
  /** What this step must end with for the demo to count as a success (default Succeeded). */
  expect?: Result[];
  /** Runs before the step (e.g. make the AML compute produce this run's model). */
  before?: () => Promise<void>;
}

export interface Stage { title: string; variables: Record<string, string>; steps: Step[] }

const tty = process.stdout.isTTY === true;
const paint = (code: string) => (s: string): string => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const dim = paint('2');
const bold = paint('1');
const green = paint('32');
const red = paint('31');
const yellow = paint('33');
const cyan = paint('36');

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

// ---- the .vsix -------------------------------------------------------------------------------

export function findVsix(): string {
  const dist = path.join(root, 'dist');
  const files = fs.existsSync(dist) ? fs.readdirSync(dist).filter((f) => f.endsWith('.vsix')) : [];
  if (files.length === 0) throw new Error('no dist/*.vsix: run `npm run demo` (it builds and packages first) or `npm run package`');
  files.sort((a, b) => fs.statSync(path.join(dist, b)).mtimeMs - fs.statSync(path.join(dist, a)).mtimeMs);
  return path.join(dist, files[0]);
}

/** A .vsix is a zip (OPC package); python3's zipfile module extracts it without extra tools. */
export function extractVsix(vsix: string, into: string): Record<TaskName, string> {
  const r = spawnSync('python3', ['-m', 'zipfile', '-e', vsix, into], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`could not extract ${vsix} with python3 -m zipfile: ${r.error?.message ?? r.stderr}`);
  const found = {} as Record<TaskName, string>;
  const missing: string[] = [];
  for (const task of TASKS) {
    const entry = path.join(into, 'tasks', task, 'index.js');
    if (fs.existsSync(entry)) found[task] = entry;
    else missing.push(task);
  }
  if (missing.length) throw new Error(`${path.basename(vsix)} does not contain tasks/${missing.join(', tasks/')} (built tasks: ${fs.readdirSync(path.join(into, 'tasks')).join(', ') || 'none'})`);
  return found;
}

// ---- pipeline-style macros and log rendering ------------------------------------------------

/** Expands `$(name)` macros from the stage variables and earlier steps' outputs; unknown macros stay (as on an agent). */
export function expand(value: string, vars: Map<string, string>): string {
  return value.replace(/\$\(([\w.]+)\)/g, (m, name: string) => vars.get(name.toLowerCase()) ?? m);
}

/**
 * One line of a task's stdout as a pipeline log shows it: ##vso commands become short dimmed notes
 * (output variables, issues, result, summary) or disappear (agent plumbing); secrets become ***.
 * Returns undefined for a line the log would not show.
 */
export function renderLine(raw: string, secrets: readonly string[]): string | undefined {
  const line = secrets.reduce((acc, sec) => (sec && sec.length >= 4 ? acc.split(sec).join('***') : acc), raw);
  const vso = /^##vso\[([\w.]+)([^\]]*)\](.*)$/.exec(line);
  if (!vso) {
    if (line.startsWith('##[group]')) return cyan(`▼ ${line.slice(9)}`);
    if (line.startsWith('##[endgroup]') || line.startsWith('##[debug]')) return undefined;
    if (line.startsWith('##[warning]')) return yellow(line);
    if (line.startsWith('##[error]')) return red(line);
    return line;
  }
  const [, command, props, rawMessage] = vso;
  // task-lib escapes command values: %AZP25 = %, %0D / %0A = CR / LF, %3B = ;, %5D = ]
  const unescape = (v: string): string => v.replace(/%0D/g, '\r').replace(/%0A/g, ' ').replace(/%3B/g, ';').replace(/%5D/g, ']').replace(/%AZP25/g, '%');
  const message = unescape(rawMessage);
  const prop = (k: string): string | undefined => {
    const v = new RegExp(`(?:^|[ ;])${k}=([^;]*)`, 'i').exec(props.trim())?.[1];
    return v === undefined ? undefined : unescape(v);
  };
  switch (command) {
    case 'task.setvariable':
      if (prop('isOutput') !== 'true') return undefined;
      return dim(`  → output ${prop('variable')} = ${prop('issecret') === 'true' ? '***' : message}`);
    case 'task.logissue': {
      const type = prop('type') ?? 'warning';
      return (type === 'error' ? red : yellow)(`##[${type}]${message}`);
    }
    case 'task.complete':
      return dim(`  (task result: ${prop('result') ?? ''}${message ? ` — ${message}` : ''})`);
    case 'task.uploadsummary':
      return dim(`  (summary attached: ${path.basename(message)})`);
    case 'task.addattachment':
      return dim(`  (attachment ${prop('type') ?? ''}: ${prop('name') ?? path.basename(message)})`);
    case 'results.publish':
      return dim(`  (test results published to the Tests tab: ${prop('type') ?? ''} ${path.basename(prop('resultFiles') ?? '')})`);
    default:
      return undefined; // setsecret, debug, prependpath, ... are agent plumbing, not log lines
  }
}

/** Renders a whole log (see renderLine), dropping leading and trailing blank lines. */
export function renderLog(text: string, secrets: readonly string[]): string[] {
  const out = text.split(/\r?\n/).map((l) => renderLine(l, secrets)).filter((l): l is string => l !== undefined);
  while (out.length && out[0].trim() === '') out.shift();
  while (out.length && out[out.length - 1].trim() === '') out.pop();
  return out;
}

/**
 * Streams a child's stdout as rendered lines. Like the web log, `##[group]` sections are shown
 * collapsed: their title, then only their last lines (DEMO_VERBOSE=1 shows everything).
 */
export class LiveLog {
  private buffer = '';
  private group: { title: string; lines: string[] } | undefined;
  constructor(private readonly secrets: string[], private readonly print: (line: string) => void,
    private readonly o: { verbose?: boolean; tail?: number } = {}) {}
  push(chunk: string): void {
    this.buffer += chunk;
    const lines = this.buffer.split(/\r?\n/);
    this.buffer = lines.pop() ?? '';
    for (const l of lines) this.line(l);
  }
  end(): void {
    if (this.buffer) this.line(this.buffer);
    this.buffer = '';
    this.closeGroup();
  }
  private line(raw: string): void {
    if (!this.o.verbose && raw.startsWith('##[group]')) {
      this.closeGroup();
      this.group = { title: raw.slice('##[group]'.length), lines: [] };
      return;
    }
    if (this.group && raw.startsWith('##[endgroup]')) {
      this.closeGroup();
      return;
    }
    const r = renderLine(raw, this.secrets);
    if (r === undefined) return;
    if (this.group) this.group.lines.push(r);
    else this.print(r);
  }
  private closeGroup(): void {
    const g = this.group;
    if (!g) return;
    this.group = undefined;
    const tail = this.o.tail ?? 4;
    const hidden = Math.max(0, g.lines.length - tail);
    this.print(cyan(`▶ ${g.title}${hidden ? dim(`  (${hidden} more line(s) collapsed)`) : ''}`));
    for (const l of g.lines.slice(hidden)) this.print(`  ${l}`);
  }
}

// ---- running the stages ---------------------------------------------------------------------

interface StepRecord { stage: string; step: Step; run?: TaskRun; result: Result; expected: boolean; message: string }

interface Agent { tools: string; summaries: string }

async function runStage(stage: Stage, bed: TestBed, bundles: Record<TaskName, string>, agent: Agent,
  records: StepRecord[], stageIndex: number): Promise<boolean> {
  say();
  say(bold(`━━━ ${stage.title} ━━━`));
  const vars = new Map(Object.entries(stage.variables).map(([k, v]) => [k.toLowerCase(), v]));
  const connection = serviceConnectionEnv(bed.emulator, 'wif', { id: 'aml-production' });
  const secrets: string[] = [bed.emulator.identities.wif.systemAccessToken, bed.emulator.identities.spnSecret.secret];
  for (const step of stage.steps) {
    const inputs = Object.fromEntries(Object.entries(step.inputs).map(([k, v]) => [k, expand(v, vars)]));
    const unresolved = Object.entries(inputs).filter(([, v]) => /\$\([\w.]+\)/.test(v));
    say();
    say(bold(`##[section]Starting: ${step.displayName}`));
    say(dim('=============================================================================='));
    say(dim(`Task         : ${step.task}@1   (from the .vsix: ${path.relative(os.tmpdir(), bundles[step.task])})`));
    const chained = Object.entries(step.inputs).filter(([, v]) => /\$\([\w.]+\.[\w]+\)/.test(v));
    for (const [k, v] of chained) {
      const shown = secrets.some((s) => s && inputs[k].includes(s)) ? '***' : inputs[k];
      say(dim(`Input        : ${k} = ${v} → ${shown}`));
    }
    say(dim('=============================================================================='));
    if (unresolved.length) {
      const message = `inputs ${unresolved.map(([k, v]) => `${k}=${v}`).join(', ')} reference outputs that no earlier step set`;
      say(red(`##[error]${message}`));
      records.push({ stage: stage.title, step, result: 'Skipped', expected: false, message });
      return false;
    }
    try {
      await step.before?.();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      say(red(`##[error]${message}`));
      records.push({ stage: stage.title, step, result: 'Failed', expected: false, message });
      return false;
    }
    const live = new LiveLog(secrets, say, { verbose: process.env.DEMO_VERBOSE === '1' });
    const run = await runTask(bundles[step.task], {
      inputs, connection, variables: stage.variables, timeoutMs: 10 * 60_000, cwd: root, emulator: bed.emulator,
      // one agent for the whole demo: the tool cache (CreateImage's model cache) survives between steps
      env: { AGENT_TOOLSDIRECTORY: agent.tools, BUILD_SOURCESDIRECTORY: root, SYSTEM_DEFAULTWORKINGDIRECTORY: root },
      onStdout: (chunk) => live.push(chunk),
    });
    live.end();
    secrets.push(...run.secrets);
    const stderr = run.stderr.trim();
    if (stderr) for (const line of renderLog(stderr, secrets)) say(red(line));
    const result = (run.result ?? 'Failed') as Result;
    const expected = (step.expect ?? ['Succeeded']).includes(result);
    const colour = result === 'Succeeded' ? green : result === 'Failed' ? red : yellow;
    say(bold(`##[section]Finishing: ${step.displayName} — ${colour(result)}${expected ? '' : red('  (not what this demo expects)')}`));
    if (expected && result === 'Failed') say(yellow(step.task === 'DeployOnlineEndpoint' ? '(expected: the rollout failed a step, so all traffic is back on the previous deployment and nothing is promoted)' : `(expected: ${gateStopWords(run.message ?? '')}; nothing was registered and the build stops here)`));
    for (const [k, v] of Object.entries(run.outputs)) vars.set(`${step.name}.${k}`.toLowerCase(), v);
    copySummaries(run, agent.summaries, `${stageIndex}-${records.length + 1}-${step.name}-${step.task}`);
    records.push({ stage: stage.title, step, run, result, expected, message: run.message ?? '' });
    if (result === 'Failed' || result === 'Cancelled') return false; // later steps of the job do not run
  }
  return true;
}

/** Copies the run's summary pages and attachments (what the run's summary page would show). */
function copySummaries(run: TaskRun, dir: string, prefix: string): void {
  const files = [...new Set([...run.summaryFiles, ...run.attachments.map((a) => a.path)])].filter((f) => f && fs.existsSync(f));
  for (const file of files) fs.copyFileSync(file, path.join(dir, `${prefix}-${path.basename(file)}`));
}

// ---- the pipelines (mirroring examples/pipelines/build.yml and release.yml) -----------------

export function pipelineVariables(kind: 'build' | 'release', runId: number): Record<string, string> {
  const commit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim() || '0'.repeat(40);
  return {
    'System.TeamProject': 'energy', 'System.TeamProjectId': '7e57a5b1-0000-4000-8000-00000000e4e7',
    'Build.DefinitionName': kind === 'build' ? 'aml-build' : 'aml-release',
    'Build.BuildId': String(runId), 'Build.BuildNumber': `20251127.${runId % 100}`,
    'Build.Repository.Name': 'building-energy', 'Build.SourceBranch': 'refs/heads/main', 'Build.SourceVersion': commit,
    'System.JobAttempt': '1', 'System.StageAttempt': '1', 'Build.Reason': 'IndividualCI',
  };
}

const AML = { azureSubscription: 'aml-production', resourceGroup: 'rg-ml', workspaceName: 'mlw' };
const project = (p: string): string => path.join('examples', 'project', p);

export function buildStage(title: string, runId: number, hyper: Hyper, training: TrainingBackend, gateExpect: Result[]): Stage {
  const command = fs.readFileSync(path.join(root, project('aml-command.txt')), 'utf8').trim();
  return {
    title, variables: pipelineVariables('build', runId),
    steps: [
      {
        name: 'train', task: 'TrainModel', displayName: 'Train on Azure ML',
        before: () => training.beforeJob(hyper),
        inputs: {
          ...AML, experimentName: 'building-energy', codePath: 'examples/project', command,
          environment: project('environment/conda.yml'), baseImage: 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest',
          compute: 'cpu-cluster', jobInputs: `learning_rate=${hyper.learningRate}\nepochs=${hyper.epochs}`, tags: 'team=energy',
          // build.yml keeps the default (10 s, growing); the emulated job moves one state per poll
          timeoutMinutes: '60', pollIntervalSeconds: '0.5',
        },
      },
      {
        name: 'register', task: 'RegisterModel', displayName: 'Gate and register the model', expect: gateExpect,
        inputs: {
          ...AML, action: 'register', modelName: 'building-energy', modelSourceType: 'job', jobName: '$(train.jobName)',
          jobOutputName: 'model', modelType: 'custom_model', description: 'Daily energy use of an office building (linear regression)',
          gateMetric: 'rmse', gateDirection: 'lowerIsBetter', gateThreshold: '5', compareWithProduction: 'true',
          minImprovement: '1%', productionTag: 'stage=production', onGateFailure: 'fail',
        },
      },
    ],
  };
}

export function releaseStage(modelId: string, modelVersion: string): Stage {
  const variables = { ...pipelineVariables('release', 7001), 'model.modelId': modelId, 'model.modelVersion': modelVersion };
  return {
    title: `Release 7001: image, deploy to test, probe ${modelId}`, variables,
    steps: [
      {
        name: 'image', task: 'CreateImage', displayName: 'Build the scoring image in ACR',
        inputs: {
          ...AML, modelId: '$(model.modelId)', scoringScript: project('src/score.py'), sourceDirectory: project('src'),
          condaFile: project('environment/conda.yml'), imageName: 'building-energy',
        },
      },
      {
        name: 'deploy', task: 'DeployToACI', displayName: 'Deploy to the test container group',
        inputs: {
          ...AML, containerGroupName: 'building-energy-test', imageUri: '$(image.imageUri)', imageDigest: '$(image.imageDigest)',
          cpu: '1', memoryGb: '1.5',
          authEnabled: 'true', keyVault: 'kv-test', scoringKeySecret: 'building-energy-test-key', readinessTimeoutMinutes: '2',
          collectData: 'true', sampleRate: '1', environmentVariables: 'TELEMETRY_FLUSH_SECONDS=1',
        },
      },
      {
        name: 'probe', task: 'ProbeEndpoint', displayName: 'Probe the test endpoint',
        inputs: {
          scoringUri: '$(deploy.scoringUri)', authKey: '$(deploy.scoringKey)',
          payloadFile: project('samples/payload.jsonl'), expectedResponseFile: project('samples/expected.jsonl'),
          tolerance: '0.000001', readinessTimeoutSeconds: '60', warmupRequests: '5', requestCount: '200', concurrency: '4',
          maxLatencyP95Ms: '500', maxErrorRate: '0', publishTestResults: 'true',
        },
      },
      // production (blue/green on an online endpoint) and the promotion follow in scripts/demo/production.ts
    ],
  };
}

// ---- the AML compute ------------------------------------------------------------------------

export interface Hyper { learningRate: number; epochs: number }
/** train.py's defaults, which samples/expected.jsonl was computed with (examples/project/tools/samples.py). */
export const GOOD_HYPER: Hyper = { learningRate: 0.1, epochs: 300 };
export interface TrainingBackend { description: string; beforeJob(h: Hyper): Promise<void>; stop(): Promise<void> }

/** Trains examples/project locally with python3 (standard library only); returns the model folder and metrics. */
export function trainLocally(hyper: Hyper, outDir: string): { modelDir: string; metrics: Record<string, number>; log: string } {
  const modelDir = path.join(outDir, 'model');
  const r = spawnSync('python3', [path.join(root, project('src/train.py')), '--data', path.join(root, project('data')),
    '--learning-rate', String(hyper.learningRate), '--epochs', String(hyper.epochs), '--output', modelDir], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`python3 train.py failed: ${r.error?.message ?? r.stderr}`);
  const metrics = JSON.parse(fs.readFileSync(path.join(modelDir, 'metrics.json'), 'utf8')) as Record<string, number>;
  return { modelDir, metrics, log: r.stdout };
}

interface AmlJobHooks {
  description: string;
  /** The emulator's aml-jobs service runs the job's command itself (python3 on the uploaded code snapshot). */
  executesCommands: boolean;
  /** Makes the next submitted job complete with these model files (its `model` output) and MLflow metrics. */
  nextJobProduces(modelDir: string, metrics: Record<string, number>, log: string): Promise<void>;
}

/**
 * The emulator's aml-jobs service plays the job's life cycle (states, MLflow metrics, output files)
 * from a script set in emulator.state (`jobScripts`); it does not run the command itself. So the
 * demo runs the same train.py locally and scripts the next job with its real model and metrics.
 */
function amlJobHooks(bed: TestBed): AmlJobHooks {
  return {
    description: 'AML compute is simulated on this machine — train.py runs locally with python3; its model files and '
      + 'metrics become the AML job\'s `model` output (in Azurite) and MLflow metrics (emulator aml-jobs jobScripts hook)',
    executesCommands: false,
    nextJobProduces: (modelDir, metrics, log) => {
      const outputFiles: Record<string, string> = {};
      for (const f of fs.readdirSync(modelDir)) outputFiles[f] = fs.readFileSync(path.join(modelDir, f), 'utf8');
      jobScripts(bed.emulator).set('*', { outcome: 'Completed', metrics, outputFiles, outputName: 'model', log });
      return Promise.resolve();
    },
  };
}

export async function prepareTraining(bed: TestBed, work: string): Promise<TrainingBackend> {
  const hooks = amlJobHooks(bed);
  let n = 0;
  return {
    description: hooks.description,
    beforeJob: async (hyper) => {
      if (hooks.executesCommands) return;
      const run = trainLocally(hyper, path.join(work, `train-${++n}`));
      say(dim(`[AML compute is simulated on this machine: python3 examples/project/src/train.py --learning-rate ${hyper.learningRate} --epochs ${hyper.epochs}`));
      say(dim(`  ${run.log.trim().split('\n').slice(-2).join('\n  ')}`));
      say(dim('  → the next AML job completes with this model output and these MLflow metrics]'));
      await hooks.nextJobProduces(run.modelDir, run.metrics, run.log);
    },
    stop: async () => undefined,
  };
}

// ---- main -------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const vsix = findVsix();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'aml-demo-'));
  const agent: Agent = { tools: path.join(work, 'agent-tools'), summaries: path.join(root, 'dist', 'demo', 'summaries') };
  fs.mkdirSync(agent.tools, { recursive: true });
  fs.rmSync(agent.summaries, { recursive: true, force: true });
  fs.mkdirSync(agent.summaries, { recursive: true });
  say(bold('Azure ML to Production — demo'));
  say(`extension : ${path.relative(root, vsix)} (extracted to ${work}/vsix)`);
  const bundles = extractVsix(vsix, path.join(work, 'vsix'));
  say(`tasks     : ${TASKS.map((t) => `${t}@1`).join(', ')} — each run as the agent runs it: node tasks/<Task>/index.js with INPUT_*, ENDPOINT_*, BUILD_* variables`);

  const bed = await startTestBed();
  let training: TrainingBackend | undefined;
  const stopAll = async (): Promise<void> => {
    await training?.stop();
    await bed.stop();
  };
  process.once('SIGINT', () => { void stopAll().finally(() => process.exit(130)); });
  const records: StepRecord[] = [];
  try {
    say(`Azure     : local emulator on https://*.localhost:${bed.emulator.port} (Entra ID, ARM, Key Vault, AML, ACR, ACI) + Azurite blobs on port ${bed.azurite.port}`);
    say('connection: \'aml-production\', workload identity federation (an OIDC token from the pipeline, no secret)');
    training = await prepareTraining(bed, work);
    say(`training  : ${training.description}`);

    const build1 = buildStage('Build run 1001: train → gate → register', 1001, GOOD_HYPER, training, ['Succeeded']);
    let ok = await runStage(build1, bed, bundles, agent, records, 1);
    const registered = records.find((r) => r.step.name === 'register')?.run?.outputs;
    if (ok && registered?.modelId && registered.modelVersion) {
      ok = await runStage(releaseStage(registered.modelId, registered.modelVersion), bed, bundles, agent, records, 2);
      if (ok) await showScoringReadBack(bed);
      let stageNo = 10;
      if (ok) ok = await productionAct({ runStage: (st) => runStage(st, bed, bundles, agent, records, stageNo++), work }, { modelId: registered.modelId, modelVersion: registered.modelVersion });
    }
    if (ok) {
      // Under-trained: fine on its own (rmse < 5, the threshold) but clearly worse than production.
      const build2 = buildStage('Build run 1002: a worse candidate (20 epochs instead of 300)', 1002,
        { learningRate: 0.1, epochs: 20 }, training, ['Failed']);
      await runStage(build2, bed, bundles, agent, records, 3);
      // act 3 (scripts/demo/monitor.ts): drift in production → MonitorModel queues retraining → the gate decides
      const t = training;
      await monitorAct<Stage>({
        root, work, bed, say, dim, bold, pipelineVariables, runStage: (stage, i) => runStage(stage, bed, bundles, agent, records, i),
        monitorStage: (title, variables, inputs) => ({ title, variables, steps: [{ name: 'monitor', task: 'MonitorModel', displayName: 'Check the production model for drift', inputs, expect: ['SucceededWithIssues'] }] }),
        retrainStage: (title, runId) => buildStage(title, runId, GOOD_HYPER, t, ['Succeeded', 'Failed']),
        outputsOf: (name) => [...records].reverse().find((r) => r.step.name === name)?.run?.outputs,
      }, 4);
      // the same lifecycle from the job YAML a team already has: a sweep and a pipeline (scripts/demo/jobfiles.ts)
      for (const [i, stage] of jobFileStages({ bed, training, hyper: GOOD_HYPER, variables: (id) => pipelineVariables('build', id) }).entries()) {
        if (!(await runStage(stage, bed, bundles, agent, records, 6 + i))) break;
      }
    }
  } finally {
    await stopAll();
    fs.rmSync(work, { recursive: true, force: true });
  }
  return report(records, agent.summaries, vsix);
}

/** What the deployed scoring container sent while ProbeEndpoint called it: App Insights telemetry (emulator)
 * and collected JSON lines (Azurite, the workspace's datastore). */
async function showScoringReadBack(bed: TestBed): Promise<void> {
  await new Promise((r) => setTimeout(r, 2500)); // the container flushes every second
  say();
  say(bold('━━━ What the scoring container sent (read back from the test bed) ━━━'));
  for (const c of appInsightsComponents(bed.emulator).values()) {
    const items = telemetryOf(bed.emulator, c.instrumentationKey);
    const requests = items.filter((e) => e.data.baseType === 'RequestData');
    const sample = requests[0]?.data.baseData;
    say(`telemetry : ${requests.length} request(s), ${items.filter((e) => e.data.baseType === 'ExceptionData').length} exception(s) in Application Insights '${c.name}'` +
      (sample ? dim(` — e.g. ${String(sample.name)} ${String(sample.responseCode)} in ${String(sample.duration)}, operation id ${String(requests[0].tags?.['ai.operation.id'])}`) : ''));
  }
  for (const name of bed.emulator.state.datastoreContainers()) {
    const container = bed.container(name);
    for await (const b of container.listBlobsFlat({ prefix: 'modelDataCollector/' })) {
      const lines = (await container.getBlobClient(b.name).downloadToBuffer()).toString('utf8').trim().split('\n');
      say(`collected : ${lines.length} JSON line(s) in ${b.name}`);
      say(dim(`            ${lines[0].length > 160 ? `${lines[0].slice(0, 157)}...` : lines[0]}`));
    }
  }
}

function report(records: StepRecord[], summariesDir: string, vsix: string): number {
  say();
  say(bold('━━━ Result ━━━'));
  for (const r of records) {
    const mark = r.expected ? green('✔') : red('✘');
    const why = r.result === 'Failed' && r.expected ? (r.step.task === 'DeployOnlineEndpoint' ? ' — expected: a failed step put all traffic back on blue' : ` — expected: ${gateStopWords(r.message)}`) : '';
    say(`${mark} ${r.stage.split(':')[0].padEnd(15)} ${r.step.task.padEnd(14)} ${r.step.displayName.padEnd(36)} ${r.result}${why}`);
    if (!r.expected && r.message) say(red(`    ${r.message}`));
  }
  const gateStop = records.find((r) => r.stage.startsWith('Build run 1002') && r.step.task === 'RegisterModel');
  if (gateStop?.run) {
    say();
    say(`gate verdict for build run 1002's candidate: gateResult=${gateStop.run.outputs.gateResult ?? '(not set)'}, registered=${gateStop.run.outputs.registered ?? 'false'}: ${gateStop.message}`);
  }
  say();
  const files = fs.readdirSync(summariesDir);
  say(`summaries : ${files.length} file(s) in ${path.relative(root, summariesDir)}/ (what the run's summary page shows)`);
  for (const f of files) say(dim(`            ${f}`));
  const complete = records.length >= 14 + JOB_FILE_STEPS && records.every((r) => r.expected);
  say(complete ? green(bold('demo complete: every step ended as a pipeline would expect')) : red(bold('demo incomplete: see the steps marked ✘ above')));
  // The last line says where to look next: what the summary pages showed, and the package an org installs.
  if (complete) say(`next: open ${path.relative(root, summariesDir)}/ (each step's summary page and attachments), then install ${path.relative(root, vsix)} in your organisation (README: "Publish under your own publisher")`);
  return complete ? 0 : 1;
}

if (require.main === module) {
  main().then((code) => process.exit(code), (e: unknown) => {
    process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
