// Reading and validating task inputs. Every failure is one line naming the input, the bad value
// and what is accepted. Inputs that may carry a secret are read with secretInput / quietInput (below),
// never with the readers that quote the value in their errors.
import * as fs from 'node:fs';
import * as tl from 'azure-pipelines-task-lib/task';
import * as tlInternal from 'azure-pipelines-task-lib/internal';
import { InputError } from './errors';
import { maskSecret } from './mask';

export { InputError } from './errors';

function raw(name: string): string | undefined {
  const v = tl.getInput(name, false);
  if (v === undefined || v === null) return undefined;
  const t = v.trim();
  return t.length === 0 ? undefined : t;
}

/** Shows a value in an error message: quoted, one line, cut at 80 characters. */
export function quote(value: string): string {
  const one = value.replace(/\r?\n/g, '\\n');
  return `'${one.length > 80 ? one.slice(0, 77) + '...' : one}'`;
}

export function requiredString(name: string): string {
  const v = raw(name);
  if (v === undefined) throw new InputError(name, 'is required but empty', 'a value');
  return v;
}

export function optionalString(name: string): string | undefined {
  return raw(name);
}

const TRUE = ['true', 'yes', 'y', '1', 'on'];
const FALSE = ['false', 'no', 'n', '0', 'off'];

export function booleanInput(name: string, defaultValue: boolean): boolean {
  const v = raw(name);
  if (v === undefined) return defaultValue;
  const l = v.toLowerCase();
  if (TRUE.includes(l)) return true;
  if (FALSE.includes(l)) return false;
  throw new InputError(name, `${quote(v)} is not a boolean`, 'true or false');
}

interface NumberOptions {
  default?: number;
  min?: number;
  max?: number;
  required?: boolean;
}

function rangeText(o: NumberOptions, kind: string): string {
  if (o.min !== undefined && o.max !== undefined) return `${kind} from ${o.min} to ${o.max}`;
  if (o.min !== undefined) return `${kind} >= ${o.min}`;
  if (o.max !== undefined) return `${kind} <= ${o.max}`;
  return kind;
}

function numeric(name: string, o: NumberOptions, integer: boolean): number | undefined {
  const kind = integer ? 'an integer' : 'a number';
  const v = raw(name);
  if (v === undefined) {
    if (o.required && o.default === undefined) throw new InputError(name, 'is required but empty', rangeText(o, kind));
    return o.default;
  }
  const pattern = integer ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  const n = Number(v);
  if (!pattern.test(v) || !Number.isFinite(n) || (integer && !Number.isSafeInteger(n))) {
    throw new InputError(name, `${quote(v)} is not ${kind}`, rangeText(o, kind));
  }
  if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
    throw new InputError(name, `${v} is out of range`, rangeText(o, kind));
  }
  return n;
}

export function integerInput(name: string, o: NumberOptions): number | undefined {
  return numeric(name, o, true);
}

export function numberInput(name: string, o: NumberOptions): number | undefined {
  return numeric(name, o, false);
}

/** Case-insensitive match; returns the spelling from `allowed`. */
export function enumInput<T extends string>(name: string, allowed: readonly T[], defaultValue?: T): T {
  const v = raw(name);
  const list = allowed.map((a) => `'${a}'`).join(', ');
  if (v === undefined) {
    if (defaultValue !== undefined) return defaultValue;
    throw new InputError(name, 'is required but empty', `one of ${list}`);
  }
  const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
  if (hit === undefined) throw new InputError(name, `${quote(v)} is not supported`, `one of ${list}`);
  return hit;
}

/**
 * Parses "key=value" lines. '#' comments and blank lines are ignored; the value is everything after
 * the first '='. Duplicate keys and lines without '=' are errors naming the line number.
 */
export function keyValueLines(
  name: string,
  text: string | undefined,
  o: { keyPattern?: RegExp; keyRule?: string; allowEmptyValue?: boolean } = {},
): Map<string, string> {
  const out = new Map<string, string>();
  if (text === undefined) return out;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, idx) => {
    const n = idx + 1;
    const t = line.trim();
    if (t.length === 0 || t.startsWith('#')) return;
    const eq = t.indexOf('=');
    if (eq < 0) throw new InputError(name, `line ${n} ${quote(t)} has no '='`, "one 'key=value' per line");
    const key = t.slice(0, eq).trim();
    const value = t.slice(eq + 1).trim();
    if (key.length === 0) throw new InputError(name, `line ${n} has an empty key`, "one 'key=value' per line");
    if (o.keyPattern && !o.keyPattern.test(key)) {
      throw new InputError(name, `line ${n}: key ${quote(key)} is not valid`, o.keyRule ?? `keys matching ${o.keyPattern.source}`);
    }
    if (!o.allowEmptyValue && value.length === 0) {
      throw new InputError(name, `line ${n}: key ${quote(key)} has an empty value`, "'key=value' with a non-empty value");
    }
    if (out.has(key)) throw new InputError(name, `line ${n}: key ${quote(key)} is repeated`, 'each key once');
    out.set(key, value);
  });
  return out;
}

// --- resource-name rules, once for every task ----------------------------------------------------

const AML_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;

/** True for an Azure ML asset name: ^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$ (maxLength can be lower). */
export function isAmlName(value: string, o: { minLength?: number; maxLength?: number } = {}): boolean {
  return AML_NAME.test(value) && value.length >= (o.minLength ?? 1) && value.length <= (o.maxLength ?? 255);
}

/** Azure ML asset naming rule: ^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$ (the length range can be narrower). */
export function amlName(name: string, value: string, o: { minLength?: number; maxLength?: number } = {}): string {
  const min = o.minLength ?? 1;
  const max = o.maxLength ?? 255;
  const v = value.trim();
  if (!isAmlName(v, { minLength: min, maxLength: max })) {
    throw new InputError(
      name,
      `${quote(v)} is not a valid Azure ML name`,
      `${min}-${max} letters, digits, '-' or '_', starting with a letter or digit`,
    );
  }
  return v;
}

/** Azure ML workspace names: 3-33 letters, digits, '-' or '_', starting with a letter or digit. */
export function workspaceNameInput(name: string, value: string): string {
  return amlName(name, value, { minLength: 3, maxLength: 33 });
}

/** Azure ML online endpoint and deployment names (azure-ai-ml validate_endpoint_or_deployment_name). */
export const ONLINE_NAME_RULE = "3-32 characters: a letter first, then letters, digits or '-', not ending with '-'";
export function isOnlineName(name: string): boolean {
  return name.length >= 3 && name.length <= 32 && /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/.test(name);
}

/** Key Vault secret names: 1-127 letters, digits or '-'. */
export const KEY_VAULT_SECRET_RULE = "1-127 letters, digits or '-'";
export function isKeyVaultSecretName(name: string): boolean {
  return /^[0-9a-zA-Z-]{1,127}$/.test(name);
}

/** Key Vault names: 3-24 letters, digits or '-', starting with a letter, ending with a letter or digit, no '--'. */
export function isKeyVaultName(name: string): boolean {
  return /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(name);
}

/** Resource group rule: 1-90 letters, digits, '_', '-', '.', '(' or ')'; not ending with '.'. */
export function azureResourceGroupName(name: string, value: string): string {
  const v = value.trim();
  if (!/^[\p{L}\p{N}._()-]{1,90}$/u.test(v) || v.endsWith('.')) {
    throw new InputError(
      name,
      `${quote(v)} is not a valid resource group name`,
      "1-90 letters, digits, '_', '-', '.', '(' or ')', not ending with '.'",
    );
  }
  return v;
}

/** A path input that must exist (relative paths resolve against the current directory, as the agent runs tasks in the sources directory). */
export function filePathInput(name: string, o: { required?: boolean; kind: 'file' | 'directory' | 'any' }): string | undefined {
  const v = raw(name);
  if (v === undefined) {
    if (o.required) throw new InputError(name, 'is required but empty', `the path of an existing ${o.kind === 'any' ? 'file or directory' : o.kind}`);
    return undefined;
  }
  // task-lib returns the sources directory itself for an unset filePath input: treat that as empty
  const defaultDir = tl.getVariable('Build.SourcesDirectory') ?? tl.getVariable('System.DefaultWorkingDirectory');
  if (!o.required && o.kind === 'file' && defaultDir && pathsEqual(v, defaultDir)) return undefined;
  let st: fs.Stats;
  try {
    st = fs.statSync(v);
  } catch {
    throw new InputError(name, `${quote(v)} does not exist`, `the path of an existing ${o.kind === 'any' ? 'file or directory' : o.kind}`);
  }
  if (o.kind === 'file' && !st.isFile()) throw new InputError(name, `${quote(v)} is not a file`, 'the path of an existing file');
  if (o.kind === 'directory' && !st.isDirectory()) throw new InputError(name, `${quote(v)} is not a directory`, 'the path of an existing directory');
  return v;
}

function pathsEqual(a: string, b: string): boolean {
  const n = (p: string): string => p.replace(/[\\/]+$/, '');
  return n(a) === n(b);
}

// --- inputs that may hold a secret ----------------------------------------------------------------
// task-lib's getInput prints `##vso[task.debug]<name>=<value>` for every input it reads, before the
// task could call setSecret. The agent masks secret *variables* ($(key) from a variable group or a
// secret pipeline variable) by itself, but not a key typed literally into an input, an API key in a
// multi-line headers input or a password inside a URL: with system.debug on, getInput would print
// them. These readers take the value from task-lib's vault (where it keeps INPUT_* after import)
// without that debug line.

interface TaskLibVault {
  retrieveSecret(key: string): string | undefined;
}

/** The trimmed input value ('' → undefined), read without task-lib's debug echo and not masked (e.g. a URL that may carry a key). */
export function quietInput(name: string): string | undefined {
  const vault = tlInternal._vault as TaskLibVault | undefined;
  const value = (vault ? vault.retrieveSecret(`INPUT_${tlInternal._getVariableKey(name)}`) : tl.getInput(name, false))?.trim();
  return value ? value : undefined;
}

/**
 * A secret input (a key, a password): read without task-lib's debug echo (see above) and masked with
 * tl.setSecret at once, before anything could print it. Errors never show the value. A value with a
 * line break is refused: task-lib refuses to register a multi-line secret, so each of its lines is
 * masked (the agent masks line by line) and the input named in the error.
 */
export function secretInput(name: string, o: { required?: boolean; expected?: string } = {}): string | undefined {
  const expected = o.expected ?? 'a single-line secret value';
  const value = quietInput(name);
  if (!value) {
    if (o.required) throw new InputError(name, 'is required but empty', expected);
    return undefined;
  }
  if (/[\r\n]/.test(value)) {
    maskSecret(value);
    throw new InputError(name, 'contains a line break', expected);
  }
  tl.setSecret(value);
  return value;
}
