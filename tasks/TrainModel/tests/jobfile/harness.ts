// Shared by the jobfile tests: the fake reader (ARM ids for a fixed workspace) and the call into the
// official client (oracle/to_rest.py, azure-ai-ml 1.4 offline).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JobFileReader } from '../../src/jobfile';

export const HERE = path.join(__dirname, '..', '..', '..', '..', '..', 'tasks', 'TrainModel', 'tests', 'jobfile');
export const CORPUS = path.join(HERE, 'corpus');
const ORACLE = path.join(HERE, 'oracle');
const PYTHON = '/usr/bin/python3';
export const WS = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws';
export const LATEST = '7';

export class FakeReader implements JobFileReader {
  readonly workspaceId = WS;
  readonly codeFolders = new Map<string, string>();
  readonly latest: string[] = [];
  async codeVersionId(folder: string): Promise<string> {
    const id = `${WS}/codes/code-${this.codeFolders.size + 1}/versions/1`;
    this.codeFolders.set(id, folder);
    return id;
  }
  async latestVersion(kind: string, name: string): Promise<string | undefined> {
    this.latest.push(`${kind}/${name}`);
    return LATEST;
  }
}

/** Overrides are written in the file's first line: `# overrides: a=1 | b=2`. */
export function overridesOf(file: string): string[] {
  const first = fs.readFileSync(file, 'utf8').split('\n')[0];
  const m = /^# overrides: (.*)$/.exec(first);
  return m ? m[1].split('|').map((s) => s.trim()) : [];
}

export interface OracleResult { body?: { properties: Record<string, unknown> }; error?: string; detail?: string; missing?: string }

export function runOracle(cases: { file: string; overrides: string[] }[]): OracleResult[] | string {
  if (!fs.existsSync(PYTHON)) return 'python3-azure is not installed (/usr/bin/python3 missing): apt-get install python3-azure';
  const r = spawnSync(PYTHON, [path.join(ORACLE, 'to_rest.py'), JSON.stringify(cases)], {
    env: { PATH: process.env.PATH ?? '', PYTHONPATH: ORACLE, HOME: process.env.HOME ?? '/tmp', AZUREML_LOG_LEVEL: 'ERROR' },
    encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000,
  });
  const out = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(out);
  } catch {
    throw new Error(`oracle failed (exit ${r.status}): ${(r.stderr ?? '').slice(-2000)}`);
  }
  if (!Array.isArray(parsed)) {
    const missing = (parsed as OracleResult).missing;
    if (missing) return missing;
  }
  return parsed as OracleResult[];
}

