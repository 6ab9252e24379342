// Checks `- task: Name@N` steps of Azure Pipelines YAML against the task.json files in tasks/,
// the way the server would reject them when the pipeline is queued: unknown task or major
// version, unknown input names (aliases allowed, case-insensitive like the server), required
// inputs without a default that are visible and missing, values outside a closed pick list,
// non-boolean values of boolean inputs. Values holding a macro/expression ($(x), $[ ], ${{ }})
// are only known at run time and are not checked.
import * as fs from 'fs';
import * as path from 'path';

export interface TaskInput {
  name: string; type: string; required?: boolean; defaultValue?: string | boolean;
  aliases?: string[]; options?: Record<string, string>; properties?: Record<string, string>; visibleRule?: string;
}
export interface TaskJson { name: string; version: { Major: number }; inputs?: TaskInput[] }
export interface TaskStep { task: string; inputs: Record<string, unknown>; where: string }
export type TaskLookup = (name: string) => TaskJson | undefined;

// Tasks that ship with Azure Pipelines (used by the examples); their inputs are not checked here.
export const BUILT_IN_TASKS = new Set(['PublishPipelineArtifact', 'DownloadPipelineArtifact', 'PublishTestResults',
  'AzureCLI', 'Bash', 'CmdLine', 'PowerShell', 'CopyFiles', 'PublishBuildArtifacts', 'DownloadBuildArtifacts']);

export const repoRoot = path.resolve(__dirname, '..', '..', '..');

export function taskJsonFromRepo(name: string): TaskJson | undefined {
  const file = path.join(repoRoot, 'tasks', name, 'task.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as TaskJson : undefined;
}

/** Every mapping with a `task:` key anywhere in the document (steps of jobs of stages, templates...). */
export function findTaskSteps(doc: unknown, where = ''): TaskStep[] {
  const found: TaskStep[] = [];
  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) { node.forEach((n, i) => walk(n, `${at}[${i}]`)); return; }
    if (node === null || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if (typeof obj.task === 'string') {
      const inputs = (obj.inputs ?? {}) as Record<string, unknown>;
      found.push({ task: obj.task, inputs, where: `${at} (${String(obj.displayName ?? obj.name ?? obj.task)})` });
    }
    for (const [k, v] of Object.entries(obj)) walk(v, at ? `${at}.${k}` : k);
  };
  walk(doc, where);
  return found;
}

const isRuntimeValue = (v: string): boolean => /\$\(|\$\[|\$\{\{/.test(v);
const asText = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** Evaluates the subset of visibleRule syntax task.json files use: `a = b`, `a != b`, `a == b`, joined by && or ||. */
export function isVisible(rule: string | undefined, values: Map<string, string>): boolean {
  if (!rule || !rule.trim()) return true;
  const clause = (c: string): boolean => {
    const m = /^\s*([A-Za-z0-9_.]+)\s*(!=|==|=|NotEndsWith|EndsWith|NotContains|Contains)\s*(.*?)\s*$/.exec(c);
    if (!m) throw new Error(`unsupported visibleRule clause '${c}'`);
    const actual = values.get(m[1].toLowerCase());
    if (actual !== undefined && isRuntimeValue(actual)) return true; // unknown until run time
    const a = actual ?? '';
    const b = m[3];
    switch (m[2]) {
      case '!=': return a !== b;
      case 'EndsWith': return a.endsWith(b);
      case 'NotEndsWith': return !a.endsWith(b);
      case 'Contains': return a.includes(b);
      case 'NotContains': return !a.includes(b);
      default: return a === b;
    }
  };
  if (rule.includes('||')) return rule.split('||').some((c) => clause(c));
  return rule.split('&&').every((c) => clause(c));
}

export function checkTaskStep(step: TaskStep, lookup: TaskLookup = taskJsonFromRepo): string[] {
  const errors: string[] = [];
  const m = /^([A-Za-z0-9_.-]+)@(\d+)$/.exec(step.task.trim());
  if (!m) return [`${step.where}: 'task: ${step.task}' is not <TaskName>@<major version>`];
  const [, name, major] = m;
  const taskJson = lookup(name);
  if (!taskJson) {
    if (BUILT_IN_TASKS.has(name)) return [];
    return [`${step.where}: task '${name}' is neither in tasks/ nor a known built-in task`];
  }
  if (taskJson.version.Major !== Number(major)) {
    errors.push(`${step.where}: ${name}@${major} does not exist; tasks/${name}/task.json is major version ${taskJson.version.Major}`);
  }
  const inputs = taskJson.inputs ?? [];
  const byName = new Map<string, TaskInput>();
  for (const i of inputs) for (const n of [i.name, ...(i.aliases ?? [])]) byName.set(n.toLowerCase(), i);

  // The values the editor would see: defaults, then what the step gives (keyed by canonical name).
  const values = new Map<string, string>();
  for (const i of inputs) if (i.defaultValue !== undefined) values.set(i.name.toLowerCase(), asText(i.defaultValue));
  const given = new Set<string>();
  for (const [key, raw] of Object.entries(step.inputs)) {
    const input = byName.get(key.toLowerCase());
    if (!input) {
      errors.push(`${step.where}: ${name} has no input '${key}' (inputs: ${inputs.map((i) => i.name).join(', ')})`);
      continue;
    }
    values.set(input.name.toLowerCase(), asText(raw));
    if (asText(raw).trim() !== '') given.add(input.name);
  }
  for (const [key, raw] of Object.entries(step.inputs)) {
    const input = byName.get(key.toLowerCase());
    if (!input) continue;
    const value = asText(raw);
    if (isRuntimeValue(value)) continue;
    const closedList = input.options && input.properties?.EditableOptions?.toLowerCase() !== 'true'
      && (input.type === 'pickList' || input.type === 'radio');
    if (closedList && !Object.prototype.hasOwnProperty.call(input.options, value)) {
      errors.push(`${step.where}: ${name} input '${key}' is '${value}'; allowed: ${Object.keys(input.options ?? {}).join(', ')}`);
    }
    if (input.type === 'boolean' && !/^(true|false)$/i.test(value)) {
      errors.push(`${step.where}: ${name} input '${key}' is '${value}'; expected true or false`);
    }
  }
  for (const input of inputs) {
    const hasDefault = input.defaultValue !== undefined && asText(input.defaultValue) !== '';
    if (!input.required || hasDefault || given.has(input.name)) continue;
    if (!isVisible(input.visibleRule, values)) continue;
    errors.push(`${step.where}: ${name} requires input '${input.name}' (no default)`);
  }
  return errors;
}
