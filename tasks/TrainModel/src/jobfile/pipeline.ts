// Pipeline jobs: each step becomes a node that names a component version. Inline steps and local
// component files are turned into anonymous command components first, with their inputs and outputs
// typed the way the official client infers them from the bindings
// (azure-ai-ml `entities/_job/pipeline/_component_translatable.py ComponentTranslatableMixin._to_input /
// _to_output`: `${{parent.inputs.x}}` takes the pipeline input's type, `${{parent.jobs.s.outputs.o}}`
// the type of that step's output, a literal its Python type).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, type Node } from 'yaml';
import { ANONYMOUS_COMPONENT_NAME, anonymousComponentVersion, type ComponentSpec } from './components';
import { computeId, isExpression, localPath, stripAzureml, versionedAssetId } from './references';
import {
  asNum, asObj, asStr, baseJob, defined, distribution, identity, type Obj, type Planner, resources, seconds,
} from './resolve';
import { commandComponent } from './schema';
import { failAt, JobFileError, nodeAt, parseJobFile, type PathSegment } from './source';
import { Literal, validateObject, type Value } from './validate';

/** A component dumps resolved ARM ids with the `azureml:` prefix (ArmVersionedStr), which its hash covers. */
function armRef(id: string): string {
  return id.startsWith('/subscriptions/') ? `azureml:${id}` : id;
}

const LITERAL_TYPES: Record<string, string> = { boolean: 'boolean', string: 'string' };

function literalType(l: Literal): string {
  if (typeof l.value === 'number') return /^-?\d+$/.test(l.text) ? 'integer' : 'number';
  return LITERAL_TYPES[typeof l.value] ?? 'string';
}

/** A component's input/output spec as `_to_dict()` dumps it: defaults as strings. */
function portSpec(p: Obj): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) out[k] = v instanceof Literal ? v.text : v;
  return out;
}

interface StepInfo {
  /** Output name → type, for steps that bind to this one. */
  outputTypes: Record<string, string>;
}

class PipelinePlanner {
  readonly steps = new Map<string, StepInfo>();
  constructor(readonly pl: Planner, readonly job: Obj) {}

  /** The type a binding expression refers to (ComponentTranslatableMixin._find_source_input_output_type). */
  bindingType(expr: string, p: PathSegment[]): string {
    const m = /^\$\{\{\s*parent\.(inputs|outputs)\.([^.}\s]+)\s*\}\}$/.exec(expr.trim());
    if (m) {
      const io = asObj(this.job[m[1]]) ?? {};
      const target = io[m[2]];
      if (target === undefined) failAt(this.pl.o.src, p, `binds to pipeline ${m[1]} '${m[2]}', which the pipeline does not declare`);
      if (target instanceof Literal) return literalType(target);
      const o = asObj(target);
      return asStr(o?.type) ?? 'uri_folder';
    }
    const s = /^\$\{\{\s*parent\.jobs\.([^.}\s]+)\.outputs\.([^.}\s]+)\s*\}\}$/.exec(expr.trim());
    if (s) {
      const step = this.steps.get(s[1]);
      if (!step) return failAt(this.pl.o.src, p, `binds to step '${s[1]}', which the pipeline does not have`);
      return step.outputTypes[s[2]] ?? 'uri_folder';
    }
    return failAt(this.pl.o.src, p, "is a binding the official client cannot type: a step input binds to '${{parent.inputs.<name>}}' or '${{parent.jobs.<step>.outputs.<name>}}'");
  }

  /** Component inputs of an inline step, inferred from what the step passes. */
  inferredInputs(inputs: Obj, p: PathSegment[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(inputs)) {
      if (v instanceof Literal && typeof v.value === 'string' && isExpression(v.value)) out[name] = { type: this.bindingType(v.value, [...p, name]) };
      else if (v instanceof Literal) out[name] = { type: literalType(v), default: v.text };
      else {
        const o = asObj(v) ?? {};
        out[name] = defined({ type: asStr(o.type) ?? 'uri_folder', mode: asStr(o.mode) });
      }
    }
    return out;
  }

  inferredOutputs(outputs: Obj, p: PathSegment[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(outputs)) {
      if (typeof v === 'string') out[name] = { type: this.bindingType(v, [...p, name]) };
      else {
        const o = asObj(v) ?? {};
        out[name] = defined({ type: asStr(o.type) ?? 'uri_folder', mode: asStr(o.mode) });
      }
    }
    return out;
  }

  /** Registers (in the plan) an anonymous component for the spec; returns its ARM id. */
  anonymousComponent(spec: ComponentSpec, source: string, step: string): string {
    const version = anonymousComponentVersion(spec);
    const id = `${this.pl.ws}/components/${ANONYMOUS_COMPONENT_NAME}/versions/${version}`;
    if (!this.pl.components.has(id)) {
      this.pl.components.set(id, {
        name: ANONYMOUS_COMPONENT_NAME, version, id, step,
        body: {
          properties: defined({
            // the spec says version "1"; the hash is the version in the URL (ComponentOperations.create_or_update:
            // `_get_rest_name_version()` for the URL, `_to_rest_object()` for the body)
            componentSpec: { ...spec, name: ANONYMOUS_COMPONENT_NAME, version: '1', _source: source },
            description: asStr(spec.description as Value),
            isAnonymous: true,
            isArchived: false,
            properties: {},
            tags: (spec.tags as Record<string, string> | undefined) ?? {},
          }),
        },
      });
    }
    return id;
  }

  /** The spec of a component given as a mapping or a file (already validated), code and environment resolved. */
  async componentSpec(c: Obj, baseDir: string, p: PathSegment[], pathOf: (q: PathSegment[]) => PathSegment[]): Promise<ComponentSpec> {
    const inputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(asObj(c.inputs) ?? {})) inputs[k] = portSpec(asObj(v) ?? {});
    const outputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(asObj(c.outputs) ?? {})) outputs[k] = portSpec(asObj(v) ?? {});
    return defined({
      $schema: asStr(c.$schema),
      display_name: asStr(c.display_name),
      description: asStr(c.description),
      tags: asObj(c.tags),
      type: 'command',
      inputs: Object.keys(inputs).length ? inputs : undefined,
      outputs: Object.keys(outputs).length ? outputs : undefined,
      command: asStr(c.command),
      environment: armRef(await this.pl.environment(c.environment as Value, baseDir, pathOf([...p, 'environment']))),
      code: asStr(c.code) === undefined ? undefined : armRef(await this.pl.code(asStr(c.code) as string, baseDir, pathOf([...p, 'code']))),
      environment_variables: asObj(c.environment_variables),
      resources: asObj(c.resources),
      distribution: asObj(c.distribution),
      is_deterministic: typeof c.is_deterministic === 'boolean' ? c.is_deterministic : true,
    });
  }

  /** `component:` / `trial:` of a step → { componentId, _source, outputTypes }. */
  async component(ref: Value, stepName: string, p: PathSegment[]): Promise<{ id: string; source: string; outputTypes: Record<string, string> }> {
    const baseDir = path.dirname(this.pl.o.filePath);
    const s = asStr(ref);
    if (s !== undefined && (s.startsWith('azureml:') || s.startsWith('/subscriptions/'))) {
      if (s.startsWith('azureml://registries/')) return { id: s, source: 'REMOTE.REGISTRY', outputTypes: {} };
      const id = await this.pl.at(p, () => versionedAssetId(this.pl.o.reader, 'components', s, 'component'));
      return { id, source: 'REMOTE.WORKSPACE.COMPONENT', outputTypes: {} };
    }
    if (s !== undefined) {
      const file = await this.pl.at(p, () => localPath({ baseDir, repositoryRoot: this.pl.o.repositoryRoot, value: s.replace(/^file:/, ''), what: 'component', kind: 'file' }));
      const rel = path.relative(this.pl.o.repositoryRoot, file) || file;
      const src = parseJobFile(rel, fs.readFileSync(file, 'utf8'));
      const spec = validateObject(src, src.doc.contents as Node, commandComponent, []);
      if (asStr(spec.type) !== undefined && asStr(spec.type) !== 'command') throw new JobFileError('jobFile', rel, `is a '${String(spec.type)}' component: TrainModel runs command components`);
      // errors in code/environment of the component file name that file
      const sub: Planner = Object.create(this.pl, { o: { value: { ...this.pl.o, src, filePath: file } } }) as Planner;
      const self = new PipelinePlanner(sub, this.job);
      const built = await self.componentSpec(spec, path.dirname(file), [], (q) => q);
      // the official client marks a plain path YAML.COMPONENT, a `file:` reference (and an inline component) YAML.JOB
      const source = s.startsWith('file:') ? 'YAML.JOB' : 'YAML.COMPONENT';
      return { id: this.anonymousComponent(built, source, stepName), source, outputTypes: outputTypesOf(spec) };
    }
    const c = asObj(ref) ?? {};
    const built = await this.componentSpec(c, baseDir, p, (q) => q);
    return { id: this.anonymousComponent(built, 'YAML.JOB', stepName), source: 'YAML.JOB', outputTypes: outputTypesOf(c) };
  }

  async nodeInputs(inputs: Obj, p: PathSegment[]): Promise<Record<string, unknown>> {
    return this.pl.inputs(inputs, p, 'node');
  }

  nodeOutputs(outputs: Obj): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(outputs)) {
      // an empty output (`prepared:`) only types the component's output; the node leaves it out
      if (v === null) continue;
      if (typeof v === 'string') out[name] = { value: v, type: 'literal' };
      else {
        const o = asObj(v) ?? {};
        out[name] = defined({ job_output_type: asStr(o.type) ?? 'uri_folder', uri: asStr(o.path), mode: asStr(o.mode) });
      }
    }
    return out;
  }

  /** Components a step names (its trial, or `component:`), resolved before any step is built. */
  readonly named = new Map<string, { id: string; source: string; outputTypes: Record<string, string> }>();

  /**
   * First pass: the output types of every step, so that a step may bind to one listed after it (the
   * official client looks bindings up in the whole `jobs` mapping).
   */
  async declare(name: string, step: Obj): Promise<void> {
    const p: PathSegment[] = ['jobs', name];
    const type = asStr(step.type) ?? 'command';
    let types: Record<string, string> = {};
    if (type === 'sweep' || step.component !== undefined) {
      const comp = type === 'sweep'
        ? await this.component(step.trial as Value, name, [...p, 'trial'])
        : await this.component(step.component as Value, name, [...p, 'component']);
      this.named.set(name, comp);
      types = { ...comp.outputTypes };
    }
    for (const [o, v] of Object.entries(asObj(step.outputs) ?? {})) {
      if (typeof v === 'string') types[o] = types[o] ?? this.bindingType(v, [...p, 'outputs', o]);
      else types[o] = asStr(asObj(v)?.type) ?? types[o] ?? 'uri_folder';
    }
    this.steps.set(name, { outputTypes: types });
  }

  async step(name: string, step: Obj): Promise<Record<string, unknown>> {
    const p: PathSegment[] = ['jobs', name];
    const type = asStr(step.type) ?? 'command';
    const inputs = asObj(step.inputs) ?? {};
    const outputs = asObj(step.outputs) ?? {};
    if (step.services !== undefined) failAt(this.pl.o.src, [...p, 'services'], 'are not supported on pipeline steps by TrainModel (they are on a command job)');
    let comp = this.named.get(name);
    if (!comp) {
      if (step.command === undefined) failAt(this.pl.o.src, [...p, 'command'], 'is required for a step without a component');
      if (step.environment === undefined) failAt(this.pl.o.src, [...p, 'environment'], 'is required for a step without a component');
      // an inline step: Command._to_component (ComponentTranslatableMixin) builds the component from it
      const spec = defined({
        ...(await this.componentSpec({ command: step.command, code: step.code, environment: step.environment, is_deterministic: true } as Obj, path.dirname(this.pl.o.filePath), p, (q) => q)),
        inputs: Object.keys(inputs).length ? this.inferredInputs(inputs, [...p, 'inputs']) : undefined,
        outputs: Object.keys(outputs).length ? this.inferredOutputs(outputs, [...p, 'outputs']) : undefined,
      });
      comp = { id: this.anonymousComponent(spec, 'YAML.JOB', name), source: 'YAML.JOB', outputTypes: outputTypesOf(spec as Obj) };
    }
    const limits = asObj(step.limits);
    const node = defined({
      name,
      type,
      display_name: asStr(step.display_name),
      description: asStr(step.description),
      tags: asObj(step.tags),
      computeId: asStr(step.compute) === undefined ? undefined : computeId(this.pl.ws, asStr(step.compute) as string),
      inputs: Object.keys(inputs).length ? await this.nodeInputs(inputs, [...p, 'inputs']) : undefined,
      outputs: Object.keys(this.nodeOutputs(outputs)).length ? this.nodeOutputs(outputs) : undefined,
      environment_variables: asObj(step.environment_variables),
      _source: comp.source,
      componentId: type === 'sweep' ? undefined : comp.id,
      ...(type === 'command'
        ? {
          // a node's distribution and resources are the REST models' as_dict() (snake_case, empty values dropped:
          // azure-ai-ml `_builders/command.py Command._to_rest_object` → get_rest_dict_for_node_attrs)
          distribution: snakeKeys(distribution(step.distribution)),
          resources: snakeKeys(resources(step.resources), true),
          limits: limits ? defined({ job_limits_type: 'Command', timeout: seconds(limits.timeout) }) : undefined,
          identity: identity(step.identity),
        }
        : sweepNodeFields(step, comp.id)),
    });
    return node;
  }
}

function snakeKeys(o: Record<string, unknown> | undefined, dropEmpty = false): Record<string, unknown> | undefined {
  if (!o) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (dropEmpty && v && typeof v === 'object' && Object.keys(v).length === 0) continue;
    out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
  }
  return out;
}

function outputTypesOf(c: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asObj(c.outputs) ?? {})) out[k] = asStr(asObj(v as Value)?.type) ?? 'uri_folder';
  return out;
}

/**
 * A sweep step keeps the YAML shape (snake_case, limits in seconds) except early_termination, which
 * goes as the REST policy's as_dict() (azure-ai-ml `entities/_builders/sweep.py Sweep._to_rest_object`).
 */
function sweepNodeFields(step: Obj, trialId: string): Record<string, unknown> {
  const e = asObj(step.early_termination);
  const policyType: Record<string, string> = { bandit: 'Bandit', median_stopping: 'MedianStopping', truncation_selection: 'TruncationSelection' };
  return defined({
    limits: step.limits,
    sampling_algorithm: step.sampling_algorithm,
    objective: step.objective,
    search_space: step.search_space,
    early_termination: e
      ? defined({
        policy_type: policyType[asStr(e.type) ?? ''],
        delay_evaluation: asNum(e.delay_evaluation) ?? 0,
        evaluation_interval: asNum(e.evaluation_interval) ?? 0,
        slack_factor: asNum(e.slack_factor),
        slack_amount: asNum(e.slack_amount),
        truncation_percentage: asNum(e.truncation_percentage),
      })
      : undefined,
    trial: { componentId: trialId },
  });
}

/** Top-level pipeline job body (PipelineJob._to_rest_object). */
export async function pipelineJob(pl: Planner, job: Obj): Promise<Record<string, unknown>> {
  if (job.component !== undefined) failAt(pl.o.src, ['component'], 'is a pipeline component: TrainModel runs pipelines whose steps are listed under jobs');
  const jobsNode = nodeAt(pl.o.src, ['jobs']);
  const steps = asObj(job.jobs) ?? {};
  if (!jobsNode || !isMap(jobsNode) || Object.keys(steps).length === 0) failAt(pl.o.src, ['jobs'], 'is required: a pipeline needs at least one step');
  const pp = new PipelinePlanner(pl, job);
  const jobs: Record<string, unknown> = {};
  for (const [name, step] of Object.entries(steps)) await pp.declare(name, asObj(step) ?? {});
  for (const [name, step] of Object.entries(steps)) jobs[name] = await pp.step(name, asObj(step) ?? {});
  const settings = asObj(job.settings);
  const compute = asStr(job.compute);
  return defined({
    ...baseJob(job, pl.o),
    jobType: 'Pipeline',
    computeId: compute === undefined ? undefined : computeId(pl.ws, compute),
    inputs: await pl.inputs(job.inputs, ['inputs'], 'job'),
    outputs: pl.outputs(job.outputs),
    jobs,
    settings: settings
      ? defined({
        ...settings,
        default_compute: asStr(settings.default_compute) === undefined ? undefined : computeId(pl.ws, asStr(settings.default_compute) as string),
        default_datastore: asStr(settings.default_datastore) === undefined ? undefined : `${pl.ws}/datastores/${stripAzureml(asStr(settings.default_datastore) as string)}`,
        _source: 'YAML.JOB',
      })
      : undefined,
    identity: identity(job.identity),
  });
}

