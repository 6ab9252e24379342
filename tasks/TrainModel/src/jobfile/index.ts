// TrainModel's `jobFile`: a CLI v2 command, sweep or pipeline job YAML (+ `jobOverrides`) → a plan
// (the REST body and the writes it needs) → the writes, then the body to PUT.
//
// Load this module lazily (`const jf = await import('./jobfile')` where `jobFile` is set): it pulls in
// the `yaml` package, which a run without a job file must not pay for at start-up. esbuild keeps a
// dynamically imported module in a lazily evaluated wrapper inside the one-file bundle, so the parser
// is only evaluated when a job file is used.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, type Node } from 'yaml';
import type { JobFileReader, JobFileWriter } from './azure';
import { applyOverrides, parseOverrides } from './overrides';
import { pipelineJob } from './pipeline';
import { Planner, resolveSingleJob, type JobFilePlan } from './resolve';
import { JOB_SCHEMAS, OTHER_JOB_TYPES, type JobType } from './schema';
import { failAt, JobFileError, parseJobFile } from './source';
import { validateObject } from './validate';
import { toWire } from './pythonJson';

export type { JobFileReader, JobFileWriter, EnvironmentVersionBody, ComponentVersionBody } from './azure';
export type { JobFilePlan } from './resolve';
export { JobFileError } from './source';

export interface PlanJobFileOptions {
  /** The job file as given (absolute, or relative to the working folder). */
  jobFile: string;
  /** The `jobOverrides` input (lines `path=value`). */
  overrides?: string;
  /** Local paths in the file must stay inside this folder (the repository checkout). */
  repositoryRoot: string;
  /** Used when the file has no experiment_name. */
  experimentName?: string;
  reader: JobFileReader;
}

/** The job type a file declares (`type:`; a file without one is a command job, as load_job reads it). */
function jobTypeOf(src: ReturnType<typeof parseJobFile>): JobType {
  const root = src.doc.contents as Node;
  const typeNode = isMap(root) ? root.get('type', true) : undefined;
  if (typeNode === undefined) return 'command';
  const t = isScalar(typeNode) && typeof typeNode.value === 'string' ? typeNode.value.toLowerCase() : undefined;
  if (t === 'command' || t === 'sweep' || t === 'pipeline') return t;
  if (t && OTHER_JOB_TYPES.includes(t)) failAt(src, ['type'], `is '${t}': TrainModel runs command, sweep and pipeline jobs`, { node: typeNode });
  return failAt(src, ['type'], `must be command, sweep or pipeline, not ${t ? `'${t}'` : 'that value'}`, { node: typeNode });
}

/**
 * Reads, overrides, validates and resolves a job file. Reads Azure (through `reader`: `@latest`
 * look-ups) and local files only; the plan it returns holds every id the job will carry.
 */
export async function planJobFile(o: PlanJobFileOptions): Promise<JobFilePlan> {
  const filePath = path.resolve(o.jobFile);
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch {
    throw new JobFileError('jobFile', o.jobFile, 'cannot be read: expected the path of a job YAML file in the repository');
  }
  const root = fs.realpathSync(o.repositoryRoot);
  const rel = path.relative(root, fs.realpathSync(filePath));
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new JobFileError('jobFile', o.jobFile, `is outside the repository (${root})`);
  const src = parseJobFile(o.jobFile, text);
  const type = jobTypeOf(src);
  const schema = JOB_SCHEMAS[type];
  applyOverrides(src, schema, parseOverrides(o.overrides));
  const job = validateObject(src, src.doc.contents as Node, schema, []);
  // the CLI names the experiment after its working folder; a task has none of its own, so the input, else the file's folder
  const experimentName = o.experimentName ?? path.basename(path.dirname(filePath));
  const pl = new Planner({ src, filePath, repositoryRoot: root, reader: o.reader, experimentName });
  const properties = type === 'pipeline' ? await pipelineJob(pl, job) : await resolveSingleJob(pl, type, job);
  return {
    type,
    name: typeof job.name === 'string' ? job.name : undefined,
    body: toWire({ properties }),
    codes: [...pl.codes.values()],
    environments: [...pl.environments.values()].map((e) => toWire(e)),
    components: [...pl.components.values()].map((c) => toWire(c)),
    notes: pl.notes,
  };
}

/** The writes of a plan, in dependency order (code and environments before the components that name them). */
export async function applyJobFilePlan(plan: JobFilePlan, writer: JobFileWriter): Promise<JobFilePlan['body']> {
  for (const c of plan.codes) await writer.ensureCodeVersion(c.folder, c.id);
  for (const e of plan.environments) await writer.ensureEnvironmentVersion(e.name, e.version, e.body);
  for (const c of plan.components) await writer.ensureComponentVersion(c.name, c.version, c.body);
  return plan.body;
}
