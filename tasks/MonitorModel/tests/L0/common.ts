// Shared set-up of MonitorModel's L0 scenarios (not a scenario itself). A scenario sets the inputs and the
// service connection through TaskMockRunner and runs tests/L0/entry.js, which calls main with fakes: the
// datastores are local folders written here (a reference CSV and collected JSON lines in the collector's
// layout), the trend is kept in memory, the Azure DevOps client records what it would queue. The readers,
// statistics, verdicts, report and outcome run for real. Loads only Node built-ins at the top: task-lib must
// first be loaded after the scenario set the inputs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AzureSession, ContextWith } from '../../../shared/src/azure';
import { l0TaskRunner, l0Workspace, recordCall } from '../../../shared/tests/l0';
import type { MonitorDeps } from '../../src/main';

export const SP_KEY = 'L0-planted-sp-Secret-monitor-7d2a';
export const ACCESS_TOKEN = 'L0-planted-system-access-token-5e1b';
export const PIPELINE_ID = 12;
const SCENARIO_ENV = 'MONITOR_L0_DATA';

/** 'records': the drifted day without positional (ACI-style) requests, whose names would come from the reference. */
export type Variant = 'drift' | 'noDrift' | 'records';

/** Deterministic uniform [0, 1) (mulberry32). */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** reference.csv (temperature, occupancy, energy), other-columns.csv, and a day of collected inputs (temperature shifted by 10 in 'drift'), one an hour logged positionally as the ACI scoring server does. */
export function writeData(dir: string, variant: Variant): void {
  const r = uniform(7);
  const ref = ['temperature,occupancy,energy'];
  for (let i = 0; i < 600; i++) ref.push(`${(r() * 40 - 5).toFixed(1)},${Math.floor(r() * 100)},${(40 + r() * 20).toFixed(2)}`);
  fs.writeFileSync(path.join(dir, 'reference.csv'), `${ref.join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'other-columns.csv'), `${ref.map((l) => l.replace(/^([^,]*),([^,]*),/, '$1,$2,')).join('\n').replace('temperature,occupancy', 'temperature,humidity')}\n`);
  const shift = variant === 'noDrift' ? 0 : 10;
  for (let h = 0; h < 24; h++) {
    const folder = path.join(dir, 'collected', '2026', '12', '01', String(h).padStart(2, '0'));
    fs.mkdirSync(folder, { recursive: true });
    const lines: string[] = [];
    for (let i = 0; i < 25; i++) {
      const id = `req-${h}-${i}`;
      const data = [{ temperature: Number((r() * 40 - 5 + shift).toFixed(1)), occupancy: Math.floor(r() * 100), correlationid: id }];
      lines.push(JSON.stringify({ specversion: '1.0', id, type: 'azureml.inference.model_inputs', time: `2026-12-01T${String(h).padStart(2, '0')}:${String(i).padStart(2, '0')}:00Z`, data, correlationid: id }));
    }
    // one request as the extension's ACI scoring server logs it: the body's positions, wrapped in one record
    const aci = [[Number((r() * 40 - 5 + shift).toFixed(1)), Math.floor(r() * 100)]];
    if (variant !== 'records') lines.push(JSON.stringify({ specversion: '1.0', id: `aci-${h}`, type: 'azureml.inference.model_inputs', time: `2026-12-01T${String(h).padStart(2, '0')}:30:00Z`, data: [{ data: aci }], correlationid: `aci-${h}` }));
    fs.writeFileSync(path.join(folder, 'instance-0.jsonl'), `${lines.join('\n')}\n`);
  }
}

/** Runs the task with valid inputs, overridden by `inputs` (undefined removes one). */
export function runMonitorScenario(inputs: Record<string, string | undefined> = {}, variant: Variant = 'drift', o: { oldTrend?: boolean } = {}): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monitor-l0-'));
  writeData(dir, variant);
  // a trend of the old per-model layout (monitoring/<model>/psi-trend.json), one run in it
  if (o.oldTrend) fs.writeFileSync(path.join(dir, 'old-trend.json'), JSON.stringify({ schema: 1, model: 'energy', runs: [{ at: '2026-11-30T06:00:00Z', runId: '70', modelVersion: '3', window: { from: '2026-11-29T00:00:00Z', to: '2026-11-30T00:00:00Z' }, verdict: 'noDrift', psi: { temperature: 0.01 } }] }));
  const all = {
    azureSubscription: 'conn-arm', resourceGroup: 'rg-ml', workspaceName: 'ws-prod', modelName: 'energy',
    productionData: 'energy-ep-blue-model_inputs', from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z', targetColumn: 'energy', onDrift: 'warn',
    ...inputs,
  };
  l0TaskRunner(__dirname, {
    spKey: SP_KEY, inputs: all, entry: path.join(__dirname, 'entry.js'),
    variables: { [SCENARIO_ENV]: dir, SYSTEM_ACCESSTOKEN: ACCESS_TOKEN, SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/', SYSTEM_TEAMPROJECT: 'energy', BUILD_BUILDID: '77' },
  }).run();
}

/** What entry.js hands to main: the real connection and credential, fakes for Azure and Azure DevOps. */
export function l0Deps(): MonitorDeps {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { localLocation } = require('../../src/data/location') as typeof import('../../src/data/location');
  const { TaskError } = require('../../../shared/src/task') as typeof import('../../../shared/src/task');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const dir = process.env[SCENARIO_ENV] as string;
  const places: Record<string, string> = {
    'energy-ep-blue-model_inputs': path.join(dir, 'collected'),
    'energy-ep-green-model_inputs': path.join(dir, 'collected'),
    'azureml:train:1': path.join(dir, 'reference.csv'),
    'other-columns:1': path.join(dir, 'other-columns.csv'),
  };
  const trend = new Map<string, string>();
  const oldTrend = path.join(dir, 'old-trend.json');
  if (fs.existsSync(oldTrend)) trend.set('monitoring/energy/psi-trend.json', fs.readFileSync(oldTrend, 'utf8'));
  return {
    now: () => new Date('2026-12-02T06:00:00Z'),
    createAzureContext: () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createAzureSession } = require('../../../shared/src/azureSession') as { createAzureSession: () => AzureSession };
      return { ...createAzureSession(), clients: {} } as unknown as ContextWith<'ml'>;
    },
    azure: {
      resolveWorkspace: async (_ctx, rg, name) => { recordCall('resolveWorkspace', { rg, name }); return l0Workspace(); },
      productionModel: async (_ctx, _ws, p) => {
        recordCall('productionModel', { model: p.modelName, version: p.modelVersion });
        return { name: 'energy', version: '3', id: 'id', tags: { stage: 'production' }, properties: { 'metric.rmse': '2.5' }, jobName: 'job-1', isArchived: false, raw: { properties: {} } };
      },
      jobDataInputs: async (_ctx, _p, job) => { recordCall('jobDataInputs', { job }); return [{ name: 'training_data', type: 'uri_file', uri: 'azureml:train:1' }]; },
      locate: async (_ctx, _ws, ref, input) => {
        recordCall('locate', { ref: ref.text, input });
        const place = places[ref.text];
        if (!place) throw new TaskError(`Input '${input}': data asset '${ref.text}' does not exist in workspace 'ws-prod'. Expected an existing data asset or a datastore path.`);
        return localLocation(place, `data asset ${ref.text}`);
      },
      trendStore: async () => ({
        where: (name) => `datastore 'workspaceblobstore' blob '${name}'`,
        read: async (name) => trend.get(name),
        write: async (name, text) => { trend.set(name, text); recordCall('trend.write', { name, runs: (JSON.parse(text) as { runs: unknown[] }).runs.length }); },
      }),
      pipelines: () => ({
        where: "https://dev.azure.com/contoso/ project 'energy'",
        get: async (id) => { recordCall('pipelines.get', { id }); return id === PIPELINE_ID ? { id, name: 'energy-train' } : undefined; },
        queue: async (id, run) => { recordCall('pipelines.queue', { id, run }); return { id: 4242, name: '20261202.1', state: 'inProgress', webUrl: 'https://dev.azure.com/contoso/energy/_build/results?buildId=4242' }; },
      }),
    },
  };
}
