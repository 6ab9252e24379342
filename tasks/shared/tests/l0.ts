// L0 test helpers for every task: task-lib's MockTestRunner runs a scenario script (a TaskMockRunner
// around the task's tests/L0/entry.js, which calls main with fakes injected) in a child process.
//
// Parent side (mocha): runScenario() runs one scenario and returns its stdout, the result from
// `##vso[task.complete`, error/warning issues, output variables, masked values and the calls the
// fakes recorded. Scenario side (the child): setEndpoint() for ENDPOINT_* variables, recordCall()
// for fakes, taskEntry() for the entry path.
//
// What this relies on in task-lib's MockTestRunner (see docs/TASKS.md, tests):
// - runAsync downloads Node unless nodePath is set: it is always process.execPath here.
// - It uses spawnSync: nothing in this process (a server, a timer) runs while a scenario runs, and
//   MockTestRunner has no timeout. runScenario arms a watchdog INSIDE the child instead (preloaded
//   through NODE_OPTIONS) that ends a scenario still running after timeoutMs; a synchronous
//   endless loop in the child is not caught by it.
// - A failed spawn leaves tr.succeeded true: runScenario throws when there is no task.complete.
//
// This module is loaded by scenario children too, so it imports only Node built-ins at the top.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TaskMockRunner } from 'azure-pipelines-task-lib/mock-run';
import type { WorkspaceInfo } from '../src/workspace';

/** Mocks print one line per call with this prefix (not `##vso[`, so the agent would ignore it). */
export const CALL_PREFIX = '##l0-call ';
const TIMEOUT_MARKER = '##l0-timeout ';
const WATCHDOG_ENV = 'L0_SCENARIO_TIMEOUT_MS';
const NODE_OPTIONS_BEFORE_ENV = 'L0_NODE_OPTIONS_BEFORE';

// --- scenario side -------------------------------------------------------------------------------

// Preloaded into a scenario child by runScenario: end the scenario when it runs too long.
const watchdogMs = Number(process.env[WATCHDOG_ENV]);
if (watchdogMs > 0) {
  delete process.env[WATCHDOG_ENV];
  // children of the scenario get the NODE_OPTIONS the test process had
  const before = process.env[NODE_OPTIONS_BEFORE_ENV];
  delete process.env[NODE_OPTIONS_BEFORE_ENV];
  if (before) process.env.NODE_OPTIONS = before;
  else delete process.env.NODE_OPTIONS;
  setTimeout(() => {
    process.stdout.write(`\n${TIMEOUT_MARKER}${watchdogMs}\n`);
    process.exit(124);
  }, watchdogMs).unref();
}

/** Records a call of a mocked function (JSON on one stdout line). Redact secrets before passing them. */
export function recordCall(name: string, args: unknown): void {
  process.stdout.write(`${CALL_PREFIX}${JSON.stringify({ name, args })}\n`);
}

/**
 * A scenario's runner: the agent variables, the 'conn-arm' service principal connection, the task's
 * compiled entry (or the scenario's entry.js), and every input that is not undefined. The caller runs it.
 */
export function l0TaskRunner(scenarioDir: string, o: { spKey: string; variables?: Record<string, string>; inputs: Record<string, string | undefined>; entry?: string }): TaskMockRunner {
  Object.assign(process.env, o.variables ?? {});
  setEndpoint('conn-arm', servicePrincipalEndpoint({ key: o.spKey, subscriptionId: L0_SUBSCRIPTION }));
  // loaded here, not at the top: this module is also preloaded into scenario children before their mocks
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mockRun = require('azure-pipelines-task-lib/mock-run') as typeof import('azure-pipelines-task-lib/mock-run');
  const tmr = new mockRun.TaskMockRunner(o.entry ?? taskEntry(scenarioDir));
  for (const [k, v] of Object.entries(o.inputs)) if (v !== undefined) tmr.setInput(k, v);
  return tmr;
}

/** The subscription every L0 scenario's service connection and fake resources use. */
export const L0_SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';

/** The AML workspace the L0 scenarios' fake resolveWorkspace returns ('rg-ml/ws-prod'), with per-task extras. */
export function l0Workspace(extra: Partial<WorkspaceInfo> = {}): WorkspaceInfo {
  return {
    id: `/subscriptions/${L0_SUBSCRIPTION}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws-prod`,
    name: 'ws-prod',
    resourceGroup: 'rg-ml',
    location: 'westeurope',
    defaultDatastore: { name: 'workspaceblobstore', accountName: 'acct', containerName: 'c', blobEndpoint: 'https://acct.blob.core.windows.net' },
    mlflowTrackingUri: 'https://westeurope.api.azureml.ms/mlflow/v1.0',
    studioJobUrl: (job) => `https://ml.azure.com/runs/${job}`,
    studioModelUrl: (name, version) => `https://ml.azure.com/model/${name}:${version}`,
    ...extra,
  };
}

/** The tsc-compiled entry of the task whose scenario directory (out/tasks/<Task>/tests/L0) is `scenarioDir`. */
export function taskEntry(scenarioDir: string): string {
  return path.join(scenarioDir, '..', '..', 'src', 'index.js');
}

export interface EndpointEnv {
  url: string;
  scheme: string;
  /** ENDPOINT_AUTH_PARAMETER_<id>_<KEY> (keys upper-cased). */
  auth?: Record<string, string>;
  /** ENDPOINT_DATA_<id>_<KEY> (keys upper-cased). */
  data?: Record<string, string>;
}

/** Sets a service connection the way the agent passes it (call before tmr.run(): task-lib reads the env at import). */
export function setEndpoint(id: string, e: EndpointEnv): void {
  process.env[`ENDPOINT_URL_${id}`] = e.url;
  process.env[`ENDPOINT_AUTH_SCHEME_${id}`] = e.scheme;
  for (const [k, v] of Object.entries(e.auth ?? {})) process.env[`ENDPOINT_AUTH_PARAMETER_${id}_${k.toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(e.data ?? {})) process.env[`ENDPOINT_DATA_${id}_${k.toUpperCase()}`] = v;
}

/** An Azure Resource Manager service principal connection (client secret) in the public cloud. */
export function servicePrincipalEndpoint(o: { key: string; subscriptionId?: string; tenantId?: string; clientId?: string }): EndpointEnv {
  return {
    url: 'https://management.azure.com/',
    scheme: 'ServicePrincipal',
    auth: {
      tenantid: o.tenantId ?? '72f988bf-86f1-41af-91ab-2d7cd011db47',
      serviceprincipalid: o.clientId ?? '00000000-0000-0000-0000-0000000000c1',
      serviceprincipalkey: o.key,
      authenticationType: 'spnKey',
    },
    data: { subscriptionId: o.subscriptionId ?? '11111111-2222-3333-4444-555555555555', environment: 'AzureCloud' },
  };
}

// --- parent side ---------------------------------------------------------------------------------

export interface VsoCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

export interface RecordedCall {
  name: string;
  args: unknown;
}

export interface ScenarioRun {
  stdout: string;
  stderr: string;
  /** From the last `##vso[task.complete result=…]`. */
  result: string;
  /** The message of that task.complete (the one-line failure for a failed run). */
  message: string;
  errors: string[];
  warnings: string[];
  /** `##vso[task.setvariable variable=…;isOutput=true]` values by name. */
  outputs: Record<string, string>;
  /** Values sent to `##vso[task.setsecret]` (the agent masks them). */
  secrets: string[];
  commands: VsoCommand[];
  /** What the mocks recorded with recordCall, in order. */
  calls: RecordedCall[];
  /** MockTestRunner's own verdict (true unless a task.complete said Failed). */
  succeeded: boolean;
}

export interface ScenarioOptions {
  /** The scenario is ended after this long (default 60 s). */
  timeoutMs?: number;
  /** Extra environment for this scenario only (e.g. a server URL); restored afterwards. */
  env?: Record<string, string>;
}

const isTrue = (v: string | undefined): boolean => (v ?? '').toLowerCase() === 'true';

/** Parses the ##vso commands, the recorded calls and the result out of a scenario's stdout. */
export function parseScenarioOutput(stdout: string, stderr = '', succeeded = true): ScenarioRun {
  // loaded here, not at the top: scenario children load this module too
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { commandFromString } = require('azure-pipelines-task-lib/taskcommand') as typeof import('azure-pipelines-task-lib/taskcommand');
  const run: ScenarioRun = { stdout, stderr, result: '', message: '', errors: [], warnings: [], outputs: {}, secrets: [], commands: [], calls: [], succeeded };
  for (const line of stdout.split(/\r?\n/)) {
    if (line.startsWith(CALL_PREFIX)) {
      run.calls.push(JSON.parse(line.slice(CALL_PREFIX.length)) as RecordedCall);
      continue;
    }
    const at = line.indexOf('##vso[');
    if (at < 0) continue;
    const c = commandFromString(line.slice(at));
    const cmd: VsoCommand = { command: c.command, properties: { ...(c.properties as Record<string, string>) }, message: c.message };
    run.commands.push(cmd);
    if (cmd.command === 'task.complete') {
      run.result = cmd.properties.result ?? '';
      run.message = cmd.message;
    } else if (cmd.command === 'task.issue' && cmd.properties.type === 'error') run.errors.push(cmd.message.trim());
    else if (cmd.command === 'task.issue' && cmd.properties.type === 'warning') run.warnings.push(cmd.message.trim());
    else if (cmd.command === 'task.setsecret') run.secrets.push(cmd.message);
    else if (cmd.command === 'task.setvariable') {
      if (isTrue(cmd.properties.issecret)) run.secrets.push(cmd.message);
      if (isTrue(cmd.properties.isOutput) || isTrue(cmd.properties.isoutput)) run.outputs[cmd.properties.variable] = cmd.message;
    }
  }
  return run;
}

function tail(text: string, lines = 40): string {
  return text.split(/\r?\n/).slice(-lines).join('\n');
}

/**
 * Runs a compiled scenario script (out/tasks/<Task>/tests/L0/<case>.js) with task-lib's MockTestRunner
 * on this Node. Throws when the scenario could not run, timed out or never reported a result.
 */
export async function runScenario(scenarioJsPath: string, o: ScenarioOptions = {}): Promise<ScenarioRun> {
  if (!fs.existsSync(scenarioJsPath)) throw new Error(`L0 scenario ${scenarioJsPath} does not exist: run tsc -p tsconfig.test.json first`);
  const { MockTestRunner } = await import('azure-pipelines-task-lib/mock-test');
  const timeoutMs = o.timeoutMs ?? 60000;
  const tr = new MockTestRunner(scenarioJsPath);
  tr.nodePath = process.execPath;

  const agentTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'l0-agent-temp-'));
  const env: Record<string, string> = {
    // task-lib writes .taskkey into the working directory without it
    AGENT_TEMPDIRECTORY: agentTemp,
    ...o.env,
    [WATCHDOG_ENV]: String(timeoutMs),
    [NODE_OPTIONS_BEFORE_ENV]: process.env.NODE_OPTIONS ?? '',
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(__filename)}`.trim(),
  };
  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    await tr.runAsync();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(agentTemp, { recursive: true, force: true });
  }
  const name = path.basename(scenarioJsPath);
  if (tr.stdout.includes(TIMEOUT_MARKER)) throw new Error(`L0 scenario ${name} timed out after ${timeoutMs} ms. Last output:\n${tail(tr.stdout)}\n${tail(tr.stderr)}`);
  const run = parseScenarioOutput(tr.stdout, tr.stderr, tr.succeeded);
  if (!run.result) {
    throw new Error(`L0 scenario ${name} reported no ##vso[task.complete] (did it run at all?). stdout:\n${tail(tr.stdout)}\nstderr:\n${tail(tr.stderr)}`);
  }
  return run;
}

/** Lines of stdout/stderr that show a secret outside the commands that register it with the agent. */
export function leakedLines(run: Pick<ScenarioRun, 'stdout' | 'stderr'>, secrets: readonly string[]): string[] {
  const list = secrets.filter((s) => s.length >= 4);
  const out: string[] = [];
  for (const line of `${run.stdout}\n${run.stderr}`.split(/\r?\n/)) {
    if (/##vso\[task\.setsecret\]/.test(line)) continue;
    if (/##vso\[task\.setvariable [^\]]*issecret=true/i.test(line)) continue;
    if (list.some((s) => line.includes(s))) out.push(line);
  }
  return out;
}

/** The recorded calls of one mocked function. */
/**
 * Lines that show a secret, except task-lib's own debug echo of the connection's auth parameters
 * (`##vso[task.debug]<id> auth param serviceprincipalkey = <value>`): the agent masks its endpoint secrets there itself.
 */
export function leakedBeyondAgentMasking(run: Pick<ScenarioRun, 'stdout' | 'stderr'>, secrets: readonly string[], connectionId = 'conn-arm'): string[] {
  const echo = new RegExp(`^##vso\\[task\\.debug\\]${connectionId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} auth param (serviceprincipalkey|serviceprincipalcertificate) = `, 'i');
  return leakedLines(run, secrets).filter((l) => !echo.test(l));
}

/** The bad-input contract: Failed with one line matching `message`, no mocked Azure call, no output, no leak. */
export function assertFailedBeforeAnyCall(run: ScenarioRun, message: RegExp, secrets: readonly string[]): void {
  assert.equal(run.result, 'Failed', run.stdout);
  assert.equal(run.succeeded, false);
  assert.match(run.message, message);
  assert.ok(!run.message.includes('\n'), 'one line');
  assert.deepEqual(run.calls, [], 'no mocked Azure module was called');
  assert.deepEqual(run.outputs, {}, 'no outputs');
  assert.deepEqual(leakedBeyondAgentMasking(run, secrets), []);
}

export function callsOf(run: Pick<ScenarioRun, 'calls'>, name: string): unknown[] {
  return run.calls.filter((c) => c.name === name).map((c) => c.args);
}
