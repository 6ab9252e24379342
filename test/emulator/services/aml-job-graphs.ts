// Sweeps and pipelines for the emulator (used by aml-jobs.ts): validation of what the service checks beyond
// the body's schema (the contract check does that against the SDK's mappers), and their child jobs.
//
// A sweep (jobType Sweep) runs its trials as child jobs `<sweep>_<n>` (Command jobs with the trial's command,
// `${{search_space.x}}` replaced by the sampled value), each with its own MLflow metrics. As trials complete
// the sweep's `properties.best_child_run_id` and `score` name the best one by the objective: that is where
// azure-ai-ml 1.4 reads it (`SWEEP_JOB_BEST_CHILD_RUN_ID_PROPERTY_NAME`, used by `jobs.download`).
// Run history lists the trials with their values in the run property `hyperparameters` (JSON).
//
// A pipeline (jobType Pipeline) runs its steps as child jobs (names are GUIDs, as in Azure; the step name is
// the child's displayName) in dependency order: a step starts when every step it binds to
// (`${{parent.jobs.<step>.outputs.<o>}}`) has completed; those bindings become the upstream child's
// `azureml://jobs/<child>/outputs/<o>` in the step's own job, and `${{parent.inputs.x}}` the pipeline input.
// A failed step fails the pipeline; steps not started then are Canceled.
//
// Scripts (jobScripts(emulator).set(<sweep or pipeline name>, script)):
//   trials   [{ metrics, outcome, error }] — trial n uses trials[n % length] (default: the primary metric
//            0.5 + 0.05·n, Completed)
//   steps    { <step name>: { metrics, outcome, error, outputFiles } }
import * as crypto from 'crypto';

export interface ChildScript {
  outcome?: 'Completed' | 'Failed' | 'Canceled';
  metrics?: Record<string, number>;
  error?: { code: string; message: string };
}

type Props = Record<string, unknown>;
const BINDING = /\$\{\{\s*parent\.jobs\.([A-Za-z0-9_.-]+)\.outputs\.([A-Za-z0-9_]+)\s*\}\}/g;
const PARENT_INPUT = /\$\{\{\s*parent\.inputs\.([A-Za-z0-9_]+)\s*\}\}/g;
const DISTRIBUTIONS = ['choice', 'randint', 'uniform', 'quniform', 'loguniform', 'qloguniform', 'normal', 'qnormal', 'lognormal', 'qlognormal'];

export class GraphError extends Error {}

// ---- validation (400s) ------------------------------------------------------------------------------------

/** The search space on the wire: `{"lr": ["uniform", [0.01, 0.9]]}`, `{"n": ["choice", [[10, 20]]]}`. */
export function validateSearchSpace(space: unknown): void {
  if (!space || typeof space !== 'object' || Array.isArray(space) || Object.keys(space).length === 0) throw new GraphError("The field 'searchSpace' is required and must name at least one parameter.");
  for (const [name, expr] of Object.entries(space as Props)) {
    if (!Array.isArray(expr) || expr.length !== 2 || typeof expr[0] !== 'string' || !Array.isArray(expr[1])) throw new GraphError(`searchSpace.${name}: expected ["<distribution>", [arguments]].`);
    const [kind, args] = expr as [string, unknown[]];
    if (!DISTRIBUTIONS.includes(kind.toLowerCase())) throw new GraphError(`searchSpace.${name}: unknown distribution '${kind}' (one of ${DISTRIBUTIONS.join(', ')}).`);
    if (kind.toLowerCase() === 'choice' && (!Array.isArray(args[0]) || args[0].length === 0)) throw new GraphError(`searchSpace.${name}: choice needs a non-empty list of values.`);
    if (kind.toLowerCase() !== 'choice' && !args.every((a) => typeof a === 'number')) throw new GraphError(`searchSpace.${name}: ${kind} takes numbers.`);
  }
}

export function validateSweep(p: Props, check: { env(id: unknown): void; code(id: unknown): void; compute(id: unknown): void }): void {
  const trial = p.trial as Props | undefined;
  if (!trial || typeof trial.command !== 'string' || trial.command.trim() === '') throw new GraphError("The field 'trial.command' is required.");
  check.env(trial.environmentId);
  if (trial.codeId !== undefined && trial.codeId !== null) check.code(trial.codeId);
  check.compute(p.computeId);
  validateSearchSpace(p.searchSpace);
  const objective = p.objective as { goal?: unknown; primaryMetric?: unknown } | undefined;
  if (!objective || typeof objective.primaryMetric !== 'string' || objective.primaryMetric === '') throw new GraphError("The field 'objective.primaryMetric' is required.");
  for (const m of String(trial.command).matchAll(/\$\{\{\s*search_space\.([A-Za-z0-9_]+)\s*\}\}/g)) {
    if (!(m[1] in (p.searchSpace as Props))) throw new GraphError(`trial.command uses \${{search_space.${m[1]}}}, which searchSpace does not define.`);
  }
}

/** Steps in dependency order; a binding to an unknown step or a cycle is a 400. */
export function stepOrder(jobs: Record<string, Props>): string[] {
  const deps = new Map<string, Set<string>>();
  for (const [name, step] of Object.entries(jobs)) {
    const d = new Set<string>();
    for (const m of JSON.stringify(step.inputs ?? {}).matchAll(BINDING)) {
      if (!(m[1] in jobs)) throw new GraphError(`Step '${name}' binds to '\${{parent.jobs.${m[1]}.outputs.${m[2]}}}', but the pipeline has no step '${m[1]}'.`);
      d.add(m[1]);
    }
    deps.set(name, d);
  }
  const order: string[] = [];
  const left = new Set(deps.keys());
  while (left.size > 0) {
    const ready = [...left].filter((n) => [...(deps.get(n) ?? [])].every((d) => order.includes(d)));
    if (ready.length === 0) throw new GraphError(`The steps ${[...left].join(', ')} bind to each other in a cycle.`);
    for (const n of ready.sort()) {
      order.push(n);
      left.delete(n);
    }
  }
  return order;
}

export function validatePipeline(p: Props, check: { component(id: unknown, step: string): void; compute(id: unknown): void }): void {
  const jobs = p.jobs as Record<string, Props> | undefined;
  if (!jobs || typeof jobs !== 'object' || Object.keys(jobs).length === 0) throw new GraphError("The field 'jobs' is required: a pipeline needs at least one step.");
  const settings = (p.settings ?? {}) as Props;
  for (const [name, step] of Object.entries(jobs)) {
    if (!step || typeof step !== 'object') throw new GraphError(`Step '${name}' must be an object.`);
    const type = String(step.type ?? '');
    if (!['command', 'sweep'].includes(type)) throw new GraphError(`Step '${name}': unsupported step type '${type}' (the emulator runs command and sweep steps).`);
    const componentId = type === 'sweep' ? (step.trial as Props | undefined)?.componentId : step.componentId;
    if (typeof componentId !== 'string' || componentId === '') throw new GraphError(`Step '${name}': the field 'componentId' is required (the service runs only steps that name a component).`);
    check.component(componentId, name);
    const compute = step.computeId ?? step.compute ?? settings.default_compute ?? p.computeId;
    if (compute === undefined || compute === null) throw new GraphError(`Step '${name}' has no compute and the pipeline has no settings.default_compute.`);
    check.compute(compute);
    for (const m of JSON.stringify(step.inputs ?? {}).matchAll(PARENT_INPUT)) {
      if (!(m[1] in ((p.inputs ?? {}) as Props))) throw new GraphError(`Step '${name}' binds to '\${{parent.inputs.${m[1]}}}', which the pipeline's inputs do not define.`);
    }
  }
  stepOrder(jobs);
}

/** Enum values of the spec (2022-10-01) by the property that holds them. */
const CANONICAL: Record<string, string[]> = {
  goal: ['Maximize', 'Minimize'],
  rule: ['Random', 'Sobol'],
  samplingAlgorithmType: ['Grid', 'Random', 'Bayesian'],
  policyType: ['Bandit', 'MedianStopping', 'TruncationSelection'],
  osType: ['Linux', 'Windows'],
  distributionType: ['PyTorch', 'TensorFlow', 'Mpi'],
  mode: ['ReadOnlyMount', 'ReadWriteMount', 'Download', 'Direct', 'EvalMount', 'EvalDownload', 'Upload'],
};

/**
 * ARM compares enum values case-insensitively in a request but answers with the spec's own spelling
 * (`maximize` in, `Maximize` out; azure-ai-ml sends the YAML's lower-case `goal` and `rule`, and `osType: linux`).
 * Rewrites those properties in place, at any depth (pipeline steps keep their own snake_case and are left alone).
 */
export function canonicalEnums(v: unknown, inSteps = false): void {
  if (Array.isArray(v)) return v.forEach((x) => canonicalEnums(x, inSteps));
  if (!v || typeof v !== 'object') return;
  for (const [k, x] of Object.entries(v as Props)) {
    const allowed = CANONICAL[k];
    if (!inSteps && allowed && typeof x === 'string') {
      const hit = allowed.find((a) => a.toLowerCase() === x.toLowerCase());
      if (hit) (v as Props)[k] = hit;
    } else canonicalEnums(x, inSteps || k === 'jobs');
  }
}

// ---- children ---------------------------------------------------------------------------------------------

/** A deterministic GUID for a pipeline step's child job (Azure names them with GUIDs). */
export function stepJobName(parent: string, step: string): string {
  const h = crypto.createHash('md5').update(`${parent}/${step}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function sample(expr: unknown, n: number, total: number): unknown {
  const [kind, args] = expr as [string, unknown[]];
  const frac = (n + 1) / (total + 1);
  const nums = args as number[];
  switch (kind.toLowerCase()) {
    case 'choice': {
      const values = args[0] as unknown[];
      return values[n % values.length];
    }
    case 'randint':
      return n % Math.max(1, nums[0]);
    case 'uniform':
    case 'loguniform':
      return Number((nums[0] + (nums[1] - nums[0]) * frac).toFixed(6));
    case 'quniform':
    case 'qloguniform':
      return Math.round((nums[0] + (nums[1] - nums[0]) * frac) / (nums[2] || 1)) * (nums[2] || 1);
    default: // normal, lognormal and their q- forms: around the mean
      return Number((nums[0] + nums[1] * (frac - 0.5)).toFixed(6));
  }
}

/** The trials' search-space values: a grid is the product of its choices, else `count` samples. */
export function trialParameters(space: Record<string, unknown>, algorithm: string, maxTrials: number): Record<string, unknown>[] {
  const names = Object.keys(space);
  if (algorithm.toLowerCase() === 'grid') {
    let grid: Record<string, unknown>[] = [{}];
    for (const name of names) {
      const values = ((space[name] as [string, unknown[]])[1][0] as unknown[]) ?? [];
      grid = grid.flatMap((g) => values.map((v) => ({ ...g, [name]: v })));
    }
    return grid.slice(0, maxTrials);
  }
  return Array.from({ length: maxTrials }, (_, n) => Object.fromEntries(names.map((name) => [name, sample(space[name], n, maxTrials)])));
}

/** The command a trial runs: `${{search_space.x}}` replaced by its value. */
export function trialCommand(command: string, params: Record<string, unknown>): string {
  return command.replace(/\$\{\{\s*search_space\.([A-Za-z0-9_]+)\s*\}\}/g, (_, n: string) => String(params[n]));
}

/** Inputs of a step's child job: bindings to upstream outputs and to pipeline inputs resolved. */
export function boundInputs(step: Props, pipelineInputs: Props, childOf: (step: string) => string): Record<string, Props> {
  const out: Record<string, Props> = {};
  for (const [name, raw] of Object.entries((step.inputs ?? {}) as Record<string, Props>)) {
    const value = String(raw?.value ?? raw?.uri ?? '');
    const up = /^\$\{\{\s*parent\.jobs\.([A-Za-z0-9_.-]+)\.outputs\.([A-Za-z0-9_]+)\s*\}\}$/.exec(value);
    const pin = /^\$\{\{\s*parent\.inputs\.([A-Za-z0-9_]+)\s*\}\}$/.exec(value);
    if (up) out[name] = { jobInputType: 'uri_folder', uri: `azureml://jobs/${childOf(up[1])}/outputs/${up[2]}` };
    else if (pin) out[name] = (pipelineInputs[pin[1]] ?? { jobInputType: 'literal', value: '' }) as Props;
    else if (raw?.job_input_type === 'literal' || raw?.jobInputType === 'literal') out[name] = { jobInputType: 'literal', value };
    else out[name] = { jobInputType: String(raw?.job_input_type ?? raw?.jobInputType ?? 'uri_folder'), uri: value };
  }
  return out;
}

/** The best trial by the objective among the completed ones with the metric. */
export function bestTrial(trials: { name: string; value?: number }[], goal: string): { name: string; value: number } | undefined {
  const scored = trials.filter((t): t is { name: string; value: number } => typeof t.value === 'number');
  if (scored.length === 0) return undefined;
  const max = goal.toLowerCase() !== 'minimize';
  return scored.reduce((a, b) => ((max ? b.value > a.value : b.value < a.value) ? b : a));
}
