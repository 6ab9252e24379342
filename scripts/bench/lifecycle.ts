// The whole lifecycle (the demo's pipelines) against the emulator, measured per task: cold start
// (process start → first ARM request) beside bare `node -e 0`, and the requests each task sends. The
// lifecycle runs twice: first as on a fresh agent (no V8 code cache beside the bundles, so each task
// compiles its bundle and writes the cache: scripts/task-loader.js), then as a later pipeline run on the
// same agent (each task starts from the cache the first pass wrote). Last, issue 20's A/B: TrainModel with
// `jobFile` unset run alternately from this build (bundle.js plus the chunks it requires on first use) and from
// the build shape before chunks (one file, `node scripts/build.mjs --single-file`), each with its JavaScript
// loaded by the run (the files the loader compiled: each left its code cache). Then the cold start by runtime
// and environment beside the floor (scripts/bench/coldFloor.js: a bare HTTPS client sending only the token request
// and one ARM GET). Every baseline `node -e 0` runs with the very Node and environment the task just had: this
// machine's environment sets NODE_EXTRA_CA_CERTS, which makes every Node start ~120 ms slower, while the test bed
// hands a task the agent's environment without it (as a hosted agent does).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestBed } from '../../test/harness/testbed';
import { runTask, serviceConnectionEnv } from '../../test/harness/run-task';
import type { RecordedRequest } from '../../test/emulator';
import { buildStage, expand, GOOD_HYPER, pipelineVariables, prepareTraining, releaseStage, type Stage, type TaskName } from '../demo';
import { jobFileStages } from '../demo/jobfiles';
import { findRuntime, handlerMajors } from '../../test/integration/runtimes';

/** The first ARM request of a run's requests (what its cold start is timed to). */
const firstArmOf = (requests: RecordedRequest[]): RecordedRequest | undefined => requests.find((r) => r.host === 'management.localhost');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `node -e 0` start→exit, median of `runs`, with the Node and environment a task ran with. */
function bareNodeStartMs(runs: number, env: NodeJS.ProcessEnv, node = process.execPath): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    spawnSync(node, ['-e', '0'], { env });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

function kind(r: RecordedRequest): string {
  if (r.host === 'management.localhost') return r.method === 'GET' || (r.method === 'POST' && /\/list\w*$/i.test(r.path)) ? 'arm-read' : 'arm-write';
  if (r.host === 'login.localhost' || r.host === 'imds' || r.host === 'dev.azure.localhost') return 'token';
  return 'data-plane';
}

interface TaskFigures { task: TaskName; step: string; result: string; message?: string; coldStartMs?: number; bareMs: number; counts: Record<string, number>; wallMs: number; later?: { coldStartMs?: number; bareMs: number; message?: string } }

/** Removes the code caches local runs left beside the bundles: the next run of each task is its first on an agent. */
function clearCodeCaches(tasks: string): number {
  let removed = 0;
  for (const t of fs.readdirSync(tasks)) {
    for (const f of fs.readdirSync(path.join(tasks, t)).filter((n) => n.startsWith('.v8cache-'))) {
      fs.rmSync(path.join(tasks, t, f));
      removed++;
    }
  }
  return removed;
}

/** Bytes of the task's JavaScript files that have a code cache: what its runs so far loaded and compiled. */
function loadedBytes(taskDir: string): { bytes: number; files: number } {
  const ids = JSON.parse(/const FILE_IDS = (\{.*?\});/.exec(fs.readFileSync(path.join(taskDir, 'index.js'), 'utf8'))?.[1] ?? '{}') as Record<string, string>;
  const cached = fs.readdirSync(taskDir).filter((n) => n.startsWith('.v8cache-'));
  const loaded = Object.entries(ids).filter(([, id]) => cached.some((c) => c.startsWith(`.v8cache-${id}-`)));
  return { bytes: loaded.reduce((a, [f]) => a + fs.statSync(path.join(taskDir, f)).size, 0), files: loaded.length };
}

interface ShapeFigures { first: number[]; later: number[]; bare: number[]; loaded?: { bytes: number; files: number } }

export async function benchLifecycle(root: string): Promise<string[]> {
  const bed = await startTestBed();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'aml-bench-'));
  const figures: TaskFigures[] = [];
  let secondRun = '';
  const dist = path.join(root, 'dist', 'tasks');
  clearCodeCaches(dist);
  let pass: 'first' | 'later' | 'uncounted' | 'ab' = 'first';
  let tasksDir = dist;
  let abFigures: ShapeFigures | undefined;
  const shapes: Record<'single file' | 'chunks', ShapeFigures> = { 'single file': { first: [], later: [], bare: [] }, chunks: { first: [], later: [], bare: [] } };
  let laterIndex = 0;
  let runtime: string | undefined;
  let extraEnv: Record<string, string> = {};
  const byRuntime: string[] = [];
  try {
    const training = await prepareTraining(bed, work);
    const connection = serviceConnectionEnv(bed.emulator, 'spnKey', { id: 'aml-production' });
    const bundles = (t: TaskName): string => path.join(tasksDir, t, 'index.js');
    const runStage = async (stage: Stage): Promise<Map<string, string>> => {
      const vars = new Map(Object.entries(stage.variables).map(([k, v]) => [k.toLowerCase(), v]));
      for (const step of stage.steps) {
        await step.before?.();
        const inputs = Object.fromEntries(Object.entries(step.inputs).map(([k, v]) => [k, expand(v, vars)]));
        const before = bed.emulator.requests.length;
        const started = Date.now();
        const run = await runTask(bundles(step.task), {
          inputs, connection, variables: stage.variables, timeoutMs: 5 * 60_000, cwd: root, emulator: bed.emulator, nodePath: runtime,
          env: { AGENT_TOOLSDIRECTORY: path.join(work, 'tools'), BUILD_SOURCESDIRECTORY: root, SYSTEM_DEFAULTWORKINGDIRECTORY: root, ...extraEnv },
        });
        // the baseline right beside each task (on a shared machine the load changes from minute to minute), on the
        // same Node with the same environment
        const bareMs = bareNodeStartMs(3, run.env, runtime);
        const mine = bed.emulator.requests.slice(before);
        const firstArm = firstArmOf(mine);
        const counts: Record<string, number> = {};
        for (const r of mine) counts[kind(r)] = (counts[kind(r)] ?? 0) + 1;
        const coldStartMs = firstArm ? firstArm.time - started : undefined;
        if (pass === 'ab' && abFigures) {
          if (run.result !== 'Succeeded' || coldStartMs === undefined) throw new Error(`A/B run of ${step.task}: ${run.result ?? 'none'} ${run.message ?? run.stderr.slice(-300)}`);
          const firstRun = !abFigures.loaded;
          (firstRun ? abFigures.first : abFigures.later).push(coldStartMs);
          abFigures.bare.push(bareMs);
          abFigures.loaded ??= loadedBytes(path.join(tasksDir, step.task));
          continue;
        }
        if (pass === 'uncounted') {
          for (const [k, v] of Object.entries(run.outputs)) vars.set(`${step.name}.${k}`.toLowerCase(), v);
          continue;
        }
        if (pass === 'later') {
          const f = figures[laterIndex++];
          if (f && f.task === step.task && f.step === step.name) f.later = { coldStartMs, bareMs, message: run.result === 'Succeeded' ? undefined : `later run ${run.result ?? 'none'}${coldStartMs === undefined ? '' : ' (after its first ARM request)'}: ${run.message ?? run.stderr.slice(-300)}` };
          for (const [k, v] of Object.entries(run.outputs)) vars.set(`${step.name}.${k}`.toLowerCase(), v);
          continue;
        }
        figures.push({ task: step.task, step: step.name, result: run.result ?? 'none', message: run.result === 'Succeeded' ? undefined : run.message ?? run.stderr.slice(-300), coldStartMs, bareMs, counts, wallMs: run.durationMs });
        for (const [k, v] of Object.entries(run.outputs)) vars.set(`${step.name}.${k}`.toLowerCase(), v);
      }
      return vars;
    };
    const built = await runStage(buildStage('build', 9001, GOOD_HYPER, training, ['Succeeded']));
    const modelId = built.get('register.modelid') ?? '';
    const version = built.get('register.modelversion') ?? '';
    await runStage(releaseStage(modelId, version));
    // TrainModel with `jobFile` (a sweep, a pipeline): the YAML parser and job-file modules load only there
    for (const stage of jobFileStages({ bed, training, hyper: GOOD_HYPER, variables: (id) => pipelineVariables('build', id) })) await runStage(stage);

    // A second build of the unchanged project: the code snapshot must not be uploaded again.
    const datastore = bed.container(bed.emulator.state.datastoreContainers()[0]);
    const since = new Date();
    await new Promise((r) => setTimeout(r, 1100)); // blob times have one-second resolution
    const rebuild = buildStage('rebuild', 9002, GOOD_HYPER, training, ['Succeeded']);
    pass = 'uncounted';
    await runStage({ ...rebuild, steps: rebuild.steps.filter((st) => st.task === 'TrainModel') });
    let blobs = 0;
    let bytes = 0;
    for await (const b of datastore.listBlobsFlat({ prefix: 'LocalUpload/' })) {
      if (b.properties.lastModified && b.properties.lastModified >= since) {
        blobs++;
        bytes += b.properties.contentLength ?? 0;
      }
    }
    // The same pipelines again on the same agent: every bundle now has the code cache its first run wrote.
    pass = 'later';
    // (the unchanged model ties the registered one, so this register step stops at its quality gate, after
    // its first ARM request; the release takes the first pass's model again)
    await runStage(buildStage('build', 9003, GOOD_HYPER, training, ['Succeeded']));
    await runStage(releaseStage(modelId, version));
    secondRun = `second TrainModel run of the unchanged project (new pipeline run): ${bytes} bytes in ${blobs} code blobs uploaded`;

    // Issue 20's A/B: TrainModel without jobFile, from this build and from the single-file shape, alternately
    const single = path.join(work, 'single-file');
    const built1 = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--single-file', single], { cwd: root, encoding: 'utf8' });
    if (built1.status !== 0) throw new Error(`single-file build failed: ${built1.stderr}`);
    pass = 'ab';
    let runId = 9100;
    for (let round = 0; round < 2; round++) {
      for (const [shape, dir] of [['single file', single], ['chunks', dist]] as const) {
        tasksDir = dir;
        clearCodeCaches(dir);
        abFigures = { ...shapes[shape], loaded: undefined };
        const train = buildStage('ab', runId++, GOOD_HYPER, training, ['Succeeded']);
        const steps = train.steps.filter((st) => st.task === 'TrainModel');
        // its first run on an agent, then a later one starting from the code cache the first wrote
        await runStage({ ...train, steps });
        shapes[shape].loaded = abFigures.loaded;
        await runStage({ ...buildStage('ab', runId++, GOOD_HYPER, training, ['Succeeded']), steps });
      }
    }
    tasksDir = dist;

    // By runtime and environment: TrainModel's later runs (from the code cache) and the floor client, each beside
    // `node -e 0` with the same Node and environment
    const floor = path.join(root, 'scripts', 'bench', 'coldFloor.js');
    const machineCa = process.env.NODE_EXTRA_CA_CERTS;
    const settings: { node: string; version: string; env: Record<string, string>; label: string }[] = [];
    for (const rt of handlerMajors().map(findRuntime)) {
      if (!rt.node || !rt.version) {
        byRuntime.push(`  Node ${rt.major}: left out (${rt.missing ?? 'missing'})`);
        continue;
      }
      settings.push({ node: rt.node, version: rt.version, env: {}, label: "the task's (as a hosted agent's)" });
      if (machineCa) settings.push({ node: rt.node, version: rt.version, env: { NODE_EXTRA_CA_CERTS: machineCa }, label: `+ this machine's NODE_EXTRA_CA_CERTS` });
    }
    const rounds = 5;
    for (const st of settings) {
      runtime = st.node;
      extraEnv = st.env;
      pass = 'ab';
      abFigures = { first: [], later: [], bare: [] };
      const steps = buildStage('rt', runId, GOOD_HYPER, training, ['Succeeded']).steps.filter((x) => x.task === 'TrainModel');
      // the first run on this runtime writes its code cache (counted apart); the next `rounds` start from it
      for (let i = 0; i <= rounds; i++) await runStage({ ...buildStage('rt', runId++, GOOD_HYPER, training, ['Succeeded']), steps });
      const task = abFigures;
      const floors: number[] = [];
      const floorBare: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const before = bed.emulator.requests.length;
        const started = Date.now();
        const run = await runTask(floor, { inputs: {}, connection, cwd: root, emulator: bed.emulator, nodePath: st.node, env: st.env, timeoutMs: 60_000 });
        const firstArm = firstArmOf(bed.emulator.requests.slice(before));
        if (run.exitCode !== 0 || !firstArm) throw new Error(`floor client on ${st.version}: exit ${run.exitCode} ${run.stderr.slice(-300)}`);
        floors.push(firstArm.time - started);
        floorBare.push(bareNodeStartMs(3, run.env, st.node));
      }
      const bare = median([...task.bare.slice(1), ...floorBare]);
      const t = median(task.later);
      const fl = median(floors);
      byRuntime.push(`  ${st.version.padEnd(9)} ${st.label.padEnd(40)} ${`${bare.toFixed(0)} ms`.padStart(9)} ${`${fl} ms (${(fl / bare).toFixed(1)}×)`.padStart(15)} ${`${t} ms (${(t / bare).toFixed(1)}×)`.padStart(15)} ${`${(t / fl).toFixed(2)}×`.padStart(8)}`);
    }
    runtime = undefined;
    extraEnv = {};
  } finally {
    await bed.stop();
  }
  const lines = [`baseline: bare \`${path.basename(process.execPath)} -e 0\` (${process.version}) start→exit with the environment the task had, median of 3 runs just after each task; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; goal (issue 12): cold start ≤ 2× it`];
  lines.push("first run = a task's first on an agent (compiles its bundle, writes the V8 code cache); later run = the same step in a second pipeline run (starts from the cache)");
  lines.push('step                   result      first run→1st ARM  node -e 0   ×node   later run→1st ARM  node -e 0   ×node   ARM reads  ARM writes  token  data plane  wall');
  const cold = (ms: number | undefined, bare: number | undefined): string => `${(ms === undefined ? '—' : `${ms} ms`).padStart(18)} ${(bare === undefined ? '—' : `${bare.toFixed(0)} ms`).padStart(10)} ${(ms === undefined || bare === undefined ? 'no ARM' : `${(ms / bare).toFixed(1)}×`).padStart(7)}`;
  for (const f of figures) {
    lines.push(`${`${f.task}/${f.step}`.padEnd(22)} ${f.result.padEnd(11)} ${cold(f.coldStartMs, f.bareMs)}  ${cold(f.later?.coldStartMs, f.later?.bareMs)}  ${String(f.counts['arm-read'] ?? 0).padStart(9)}  ${String(f.counts['arm-write'] ?? 0).padStart(10)}  ${String(f.counts.token ?? 0).padStart(5)}  ${String(f.counts['data-plane'] ?? 0).padStart(10)}  ${(f.wallMs / 1000).toFixed(1)} s`);
    if (f.message) lines.push(`  ${f.task}: ${f.message}`);
    if (f.later?.message) lines.push(`  ${f.task}: ${f.later.message}`);
  }
  const ratios = (pick: (f: TaskFigures) => [number | undefined, number | undefined]): number[] =>
    figures.map(pick).filter((x): x is [number, number] => x[0] !== undefined && x[1] !== undefined).map(([ms, bare]) => ms / bare);
  const medianRatio = (xs: number[]): string => (xs.length ? `${[...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(1)}×` : '—');
  lines.push(`median ×node: first runs ${medianRatio(ratios((f) => [f.coldStartMs, f.bareMs]))}, later runs ${medianRatio(ratios((f) => [f.later?.coldStartMs, f.later?.bareMs]))} (goal ≤ 2×)`);
  lines.push(secondRun);
  lines.push("issue 20's A/B, TrainModel without jobFile (2 rounds, alternating; median of each):");
  for (const [shape, f] of Object.entries(shapes)) {
    const bare = median(f.bare);
    const at = (xs: number[]): string => (xs.length ? `${median(xs)} ms (${(median(xs) / bare).toFixed(1)}×)` : '—');
    lines.push(`  ${shape.padEnd(12)} first run→1st ARM ${at(f.first).padStart(16)}  later run ${at(f.later).padStart(16)}  node -e 0 ${bare.toFixed(0)} ms  JavaScript the run loaded: ${f.loaded ? `${(f.loaded.bytes / 1024).toFixed(0)} KiB in ${f.loaded.files} file(s)` : '—'}`);
  }
  lines.push(`cold start by runtime and environment: TrainModel's later runs (code cache) and the floor client (scripts/bench/coldFloor.js: only the token request and one ARM GET), median of 5 each, beside \`node -e 0\` with the same Node and environment`);
  lines.push(`  ${'Node'.padEnd(9)} ${'environment'.padEnd(40)} ${'node -e 0'.padStart(9)} ${'floor'.padStart(15)} ${'TrainModel'.padStart(15)} ${'×floor'.padStart(8)}`);
  lines.push(...byRuntime);
  return lines;
}
