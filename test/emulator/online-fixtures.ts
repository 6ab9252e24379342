// Fixtures for tests against the emulator's Azure ML online endpoints (services/aml-online.ts): raw ARM
// calls with a token, following Azure-AsyncOperation, and a workspace seeded with a model (3 versions in
// Azurite), code versions (a working score.py and one whose init() raises) and environments.
import * as assert from 'assert';
import type { TestBed } from '../harness/testbed';
import type { Emulator } from './index';
import { seedModelVersions } from './services/aml-models';
import { armToken, call, workspaceId, type Reply } from './call';

export { call, type Reply } from './call';

export const NEW = '2024-04-01';
export const OLD = '2022-10-01';
export const SCORE = `import json, os
FACTOR = None
def init():
    global FACTOR
    with open(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.json")) as f:
        FACTOR = json.load(f)["factor"]
    print("model loaded, factor", FACTOR, flush=True)
def run(raw):
    return [x * FACTOR for x in json.loads(raw)["data"]]
`;
export const CRASH = `def init():
    raise RuntimeError("cannot load the model: weights missing")
def run(raw):
    return raw
`;


/** ARM helpers bound to one test bed (workspace rg-ml/mlw). */
export class OnlineFixture {
  readonly emu: Emulator;
  readonly token: string;
  readonly ws: string;

  constructor(readonly bed: TestBed) {
    this.emu = bed.emulator;
    this.token = armToken(this.emu);
    this.ws = workspaceId(this.emu);
  }

  ep(name: string): string {
    return `${this.ws}/onlineEndpoints/${name}`;
  }

  dep(endpoint: string, name: string): string {
    return `${this.ep(endpoint)}/deployments/${name}`;
  }

  arm(method: string, p: string, body?: unknown, api = NEW): Promise<Reply> {
    return call(this.emu, method, `${this.emu.urls.arm}${p}?api-version=${api}`, { token: this.token, body });
  }

  /** Follows Azure-AsyncOperation until the operation ends; returns its final status body. */
  async settle(r: Reply): Promise<any> {
    const url = String(r.headers['azure-asyncoperation'] ?? '');
    assert.ok(url, `no Azure-AsyncOperation header (status ${r.status}: ${r.text})`);
    for (let i = 0; i < 600; i++) {
      const s = await call(this.emu, 'GET', url, { token: this.token });
      if (s.json?.status !== 'InProgress') return s.json;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error('the operation did not end');
  }

  async putEndpoint(name: string, properties: Record<string, unknown>, api = NEW): Promise<any> {
    const r = await this.arm('PUT', this.ep(name), { location: 'eastus', properties }, api);
    assert.ok(r.status === 201 || r.status === 200, r.text);
    return this.settle(r);
  }

  async putDeployment(endpoint: string, name: string, o: { model?: string; code?: string; env?: string; count?: number; instanceType?: string; concurrency?: number; extra?: Record<string, unknown> } = {}): Promise<{ put: Reply; op: any }> {
    const put = await this.arm('PUT', this.dep(endpoint, name), {
      location: 'eastus', sku: { name: 'Default', capacity: o.count ?? 1 },
      properties: {
        endpointComputeType: 'Managed', instanceType: o.instanceType ?? 'Standard_DS3_v2', model: `${this.ws}/models/energy/versions/${o.model ?? '1'}`,
        codeConfiguration: { codeId: `${this.ws}/codes/${o.code ?? 'score-good'}/versions/1`, scoringScript: 'score.py' },
        environmentId: `${this.ws}/environments/${o.env ?? 'sklearn'}/versions/1`,
        ...(o.concurrency ? { requestSettings: { maxConcurrentRequestsPerInstance: o.concurrency, requestTimeout: 'PT5S' } } : {}), ...(o.extra ?? {}),
      },
    });
    if (put.status >= 300) return { put, op: undefined };
    return { put, op: await this.settle(put) };
  }

  async uploadCode(name: string, files: Record<string, string>): Promise<void> {
    const container = this.emu.state.getWorkspace('rg-ml', 'mlw')!.datastores.get('workspaceblobstore')!.containerName;
    for (const [f, text] of Object.entries(files)) await this.bed.container(container).getBlockBlobClient(`LocalUpload/${name}/${f}`).upload(text, Buffer.byteLength(text));
    const codeUri = `https://devstoreaccount1.blob.localhost:${this.bed.azurite.port}/${container}/LocalUpload/${name}`;
    const r = await this.arm('PUT', `${this.ws}/codes/${name}/versions/1`, { properties: { codeUri } }, OLD);
    assert.ok(r.status < 300, r.text);
  }

  /** POST /score on the endpoint's front door. */
  score(endpoint: string, o: { key?: string; deployment?: string; data?: number[] } = {}): Promise<Reply> {
    return call(this.emu, 'POST', `https://${endpoint}.eastus.inference.ml.localhost:${this.emu.port}/score`, {
      body: { data: o.data ?? [1, 2] }, ...(o.key ? { token: o.key } : {}), headers: o.deployment ? { 'azureml-model-deployment': o.deployment } : {},
    });
  }

  /** Model 'energy' versions 1-3 (factors 2, 2, 3), code 'score-good' and 'score-crash', environments 'sklearn' and 'broken-env'. */
  async seed(): Promise<void> {
    const container = this.emu.state.getWorkspace('rg-ml', 'mlw')!.datastores.get('workspaceblobstore')!.containerName;
    for (const [v, factor] of [['1', 2], ['2', 2], ['3', 3]] as const) {
      const text = JSON.stringify({ factor });
      await this.bed.container(container).getBlockBlobClient(`models/energy/${v}/model.json`).upload(text, text.length);
    }
    seedModelVersions(this.emu, { name: 'energy', count: 3, uri: (n) => `azureml://datastores/workspaceblobstore/paths/models/energy/${n}` });
    await this.uploadCode('score-good', { 'score.py': SCORE });
    await this.uploadCode('score-crash', { 'score.py': CRASH });
    for (const env of ['sklearn', 'broken-env']) {
      const r = await this.arm('PUT', `${this.ws}/environments/${env}/versions/1`, { properties: { image: 'mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference:latest' } }, OLD);
      assert.ok(r.status < 300, r.text);
    }
  }
}
