// Runs the official Python client (Debian's python3-azure: azure-ai-ml 1.4) against the emulator and
// returns the requests it sent, as the emulator recorded them. Reusable: pass any script of
// test/oracle/python (or your own) and its arguments; the script gets an MLClient from
// `emulator_client.ml_client()`. See docs/EMULATOR.md, "Official client oracle".
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULTS, type Emulator, type RecordedRequest } from '../emulator';

/** Debian's interpreter (a pyenv shim on PATH would not see python3-azure). */
export const SYSTEM_PYTHON = '/usr/bin/python3';
export const ORACLE_PYTHON_DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'oracle', 'python');

/** Why the oracle cannot run here (one line), or undefined when azure-ai-ml imports. */
export function azureAiMlMissing(): string | undefined {
  if (!fs.existsSync(SYSTEM_PYTHON)) return `${SYSTEM_PYTHON} is missing (apt-get install python3-azure)`;
  const r = spawnSync(SYSTEM_PYTHON, ['-c', 'import azure.ai.ml, sys; sys.stdout.write(azure.ai.ml.__version__)'], {
    encoding: 'utf8', env: { ...process.env, PYTHONPATH: ORACLE_PYTHON_DIR }, timeout: 60_000,
  });
  if (r.status !== 0) return `azure-ai-ml does not import with ${SYSTEM_PYTHON} (apt-get install python3-azure): ${(r.stderr || '').trim().split('\n').pop()}`;
  return undefined;
}

export interface OracleRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Every request the emulator received while the script ran (the client's, in order). */
  requests: RecordedRequest[];
  /** The JSON object the script printed last (our_flows.py prints `{"step", "result"}`). */
  result?: unknown;
}

export interface OracleOptions {
  script?: string;
  args?: string[];
  /** Working directory (relative code paths in the arguments resolve from here). */
  cwd?: string;
  resourceGroup?: string;
  workspace?: string;
  timeoutMs?: number;
}

export async function runAzureAiMl(emu: Emulator, o: OracleOptions = {}): Promise<OracleRun> {
  const script = path.resolve(ORACLE_PYTHON_DIR, o.script ?? 'our_flows.py');
  const ws = emu.state.getWorkspace(o.resourceGroup ?? DEFAULTS.resourceGroup, o.workspace ?? DEFAULTS.workspace);
  if (!ws) throw new Error('runAzureAiMl: no such workspace in the emulator');
  const token = emu.issueToken({ audience: 'https://management.azure.com/', appId: emu.identities.spnSecret.clientId });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8',
    PYTHONPATH: ORACLE_PYTHON_DIR, PYTHONDONTWRITEBYTECODE: '1',
    REQUESTS_CA_BUNDLE: emu.caFile,
    ORACLE_ARM: emu.urls.arm, ORACLE_AUTHORITY: emu.urls.authorityHost,
    // Python's azure-storage-blob finds the account name only in `<account>.blob.core.<suffix>` host
    // names (as in `core.windows.net`), so the oracle's cloud names Azurite `core.localhost:<port>`.
    ORACLE_STORAGE_ENDPOINT: `core.${emu.state.storage.endpoint}`, ORACLE_AML_DATA: emu.urls.amlDataPlane(ws.location),
    ORACLE_SUBSCRIPTION: emu.identities.subscriptionId, ORACLE_RESOURCE_GROUP: ws.resourceGroup, ORACLE_WORKSPACE: ws.name,
    ORACLE_ARM_TOKEN: token,
    ORACLE_AML_TOKEN: emu.issueToken({ audience: 'https://ml.azure.com', appId: emu.identities.spnSecret.clientId }),
    AZUREML_LOG_LEVEL: 'WARNING',
  };
  const first = emu.requests.length;
  const child = spawn(SYSTEM_PYTHON, [script, ...(o.args ?? [])], { cwd: o.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  const last = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  let result: unknown;
  try {
    result = last ? JSON.parse(last) : undefined;
  } catch {
    result = undefined;
  }
  return { exitCode, stdout, stderr, requests: emu.requests.slice(first), result };
}
