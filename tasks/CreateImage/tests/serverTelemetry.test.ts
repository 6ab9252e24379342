// The scoring server's background senders against the test bed: request/exception telemetry to the emulator's
// Application Insights ingestion route, and collected inputs/outputs to Azurite through a write-only SAS.
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import * as net from 'net';
import { ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { startTestBed, type TestBed } from '../../../test/harness/testbed';
import { appInsightsComponents } from '../../../test/emulator/services/aci';
import { telemetryOf, type TelemetryEnvelope } from '../../../test/emulator/services/appinsights';
import { call, scoringDir, startServer } from './helpers/pythonServer';

const SCORE_PY = `
import json
def init():
    pass
def run(raw_data):
    data = json.loads(raw_data)
    if data.get("fail"):
        raise ValueError("bad payload")
    return {"prediction": [x * 2 for x in data["data"]]}
`;

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function track(bed: TestBed, body: string): Promise<{ status: number; json: { itemsReceived: number; itemsAccepted: number; errors: { index: number; message: string }[] } }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: bed.emulator.port, method: 'POST', path: '/v2.1/track', ca: bed.emulator.caPem, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('CreateImage scoring server: telemetry and data collection (emulator + Azurite)', function () {
  this.timeout(60000);
  let bed: TestBed;
  let dir: string;
  const ikey = crypto.randomUUID();
  before(async () => {
    bed = await startTestBed();
    appInsightsComponents(bed.emulator).set('rg-ml/appi-test', {
      name: 'appi-test', resourceGroup: 'rg-ml', location: 'eastus', instrumentationKey: ikey, appId: crypto.randomUUID(),
      connectionString: `InstrumentationKey=${ikey};IngestionEndpoint=https://127.0.0.1:${bed.emulator.port}/`,
    });
    dir = scoringDir(SCORE_PY);
  });
  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await bed.stop();
  });

  describe('Application Insights ingestion route (emulator)', () => {
    it('accepts envelopes of a known instrumentation key (200), some (206) or none (400)', async () => {
      const ok = { name: 'Microsoft.ApplicationInsights.Event', time: new Date().toISOString(), iKey: ikey, data: { baseType: 'EventData', baseData: { ver: 2, name: 'e' } } };
      const all = await track(bed, JSON.stringify([ok]));
      assert.deepStrictEqual([all.status, all.json.itemsAccepted], [200, 1]);
      const some = await track(bed, JSON.stringify([ok, { ...ok, iKey: crypto.randomUUID() }]));
      assert.deepStrictEqual([some.status, some.json.itemsAccepted, some.json.errors[0].index, some.json.errors[0].message], [206, 1, 1, 'Invalid instrumentation key']);
      const none = await track(bed, JSON.stringify([{ ...ok, time: undefined }]));
      assert.strictEqual(none.status, 400);
      assert.strictEqual((await track(bed, 'not json')).status, 400);
    });
  });

  describe('telemetry (APPLICATIONINSIGHTS_CONNECTION_STRING)', () => {
    it('sends each /score request (duration, status, operation id = the echoed request id) and run() exceptions, in the background', async () => {
      const s = await startServer(dir, {
        APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${ikey};IngestionEndpoint=https://127.0.0.1:${bed.emulator.port}/`,
        SSL_CERT_FILE: bed.emulator.caFile, TELEMETRY_FLUSH_SECONDS: '0.2', WORKER_COUNT: '2',
      });
      try {
        const before = telemetryOf(bed.emulator, ikey).length;
        const ok = await call(s.port, 'POST', '/score', { body: '{"data": [1]}', headers: { 'x-request-id': 'op-ok-1' } });
        assert.strictEqual(ok.headers['x-request-id'], 'op-ok-1');
        const bad = await call(s.port, 'POST', '/score', { body: '{"fail": true}', headers: { 'x-ms-client-request-id': 'client-7' } });
        assert.strictEqual(bad.status, 500);
        const failedId = String(bad.headers['x-request-id']);
        await call(s.port, 'GET', '/');
        const items = await until('3 telemetry items', () => {
          const list = telemetryOf(bed.emulator, ikey).slice(before);
          return list.length >= 3 ? list : undefined;
        });
        const byOp = (id: string, type: string): TelemetryEnvelope | undefined => items.find((e) => e.tags?.['ai.operation.id'] === id && e.data.baseType === type);
        const req1 = byOp('op-ok-1', 'RequestData');
        assert.ok(req1, JSON.stringify(items));
        assert.strictEqual(req1.data.baseData.responseCode, '200');
        assert.strictEqual(req1.data.baseData.success, true);
        assert.strictEqual(req1.data.baseData.name, 'POST /score');
        assert.match(String(req1.data.baseData.duration), /^0\.00:00:\d{2}\.\d{3}$/);
        const req2 = byOp(failedId, 'RequestData');
        assert.deepStrictEqual([req2?.data.baseData.responseCode, req2?.data.baseData.success], ['500', false]);
        assert.deepStrictEqual((req2?.data.baseData.properties as Record<string, string>)['x-ms-client-request-id'], 'client-7');
        const exc = byOp(failedId, 'ExceptionData');
        const detail = (exc?.data.baseData.exceptions as { typeName: string; message: string; stack: string }[])[0];
        assert.deepStrictEqual([detail.typeName, detail.message], ['ValueError', 'bad payload']);
        assert.match(detail.stack, /Traceback[\s\S]*ValueError: bad payload/);
        assert.ok(!items.some((e) => e.data.baseData.name === 'GET /'), 'liveness probes are not sent');
      } finally {
        await s.stop();
      }
    });

    it('never slows or fails scoring when the ingestion endpoint is down, and logs that once per minute', async () => {
      const s = await startServer(dir, {
        APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${ikey};IngestionEndpoint=https://127.0.0.1:${await closedPort()}/`,
        TELEMETRY_FLUSH_SECONDS: '0.1',
      });
      try {
        for (let i = 0; i < 20; i++) {
          const t0 = Date.now();
          const r = await call(s.port, 'POST', '/score', { body: '{"data": [1]}' });
          assert.strictEqual(r.status, 200);
          assert.ok(Date.now() - t0 < 500);
          await new Promise((res) => setTimeout(res, 30));
        }
        await until('the failure line', () => (/Application Insights telemetry: \d+ items not sent/.test(s.output()) ? true : undefined));
        await new Promise((res) => setTimeout(res, 500));
        assert.strictEqual((s.output().match(/Application Insights telemetry:/g) ?? []).length, 1, s.output());
      } finally {
        await s.stop();
      }
    });

    it('refuses a connection string without an instrumentation key or with a plain-http endpoint, in one line', async () => {
      await assert.rejects(startServer(dir, { APPLICATIONINSIGHTS_CONNECTION_STRING: 'IngestionEndpoint=https://127.0.0.1/' }),
        /exited with 1: The scoring server does not start: APPLICATIONINSIGHTS_CONNECTION_STRING has no InstrumentationKey\n$/);
      await assert.rejects(startServer(dir, { APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${ikey};IngestionEndpoint=http://127.0.0.1/` }),
        /exited with 1: The scoring server does not start: APPLICATIONINSIGHTS_CONNECTION_STRING: IngestionEndpoint must be an https:\/\/ URL\n$/);
    });
  });

  describe('data collection (DATA_COLLECTOR_SAS_URL)', () => {
    const sasUrl = async (container: string, permissions: string): Promise<string> => {
      await bed.container(container).createIfNotExists();
      const cred = new StorageSharedKeyCredential(bed.azurite.accountName, bed.azurite.accountKey);
      const sas = generateBlobSASQueryParameters({ containerName: container, permissions: ContainerSASPermissions.parse(permissions), expiresOn: new Date(Date.now() + 3600_000) }, cred).toString();
      return `${bed.azurite.ipBlobUrl()}/${container}?${sas}`;
    };
    const blobs = async (container: string): Promise<Map<string, string>> => {
      const out = new Map<string, string>();
      const c = bed.container(container);
      for await (const b of c.listBlobsFlat()) out.set(b.name, (await c.getBlobClient(b.name).downloadToBuffer()).toString('utf8'));
      return out;
    };

    it("writes sampled inputs and outputs as JSON lines in Azure ML's data-collector layout, through a write-only SAS", async () => {
      const s = await startServer(dir, {
        DATA_COLLECTOR_SAS_URL: await sasUrl('collect-all', 'cw'), DATA_COLLECTOR_ENDPOINT: 'churn-ep', DATA_COLLECTOR_DEPLOYMENT: 'blue',
        DATA_COLLECTOR_SOURCE: '/subscriptions/s/resourceGroups/rg-ml/providers/Microsoft.ContainerInstance/containerGroups/churn-ep',
        SSL_CERT_FILE: bed.emulator.caFile, TELEMETRY_FLUSH_SECONDS: '0.2',
      });
      try {
        await call(s.port, 'POST', '/score', { body: '{"data": [1, 2]}', headers: { 'x-request-id': 'corr-1' } });
        await call(s.port, 'POST', '/score', { body: '[{"age": 40, "plan": "gold"}]', headers: { 'x-request-id': 'corr-2' } }); // run() fails: nothing collected
        await call(s.port, 'POST', '/score', { body: '{"data": [5]}', headers: { 'x-request-id': 'corr-3' } });
        const files = await until('two collections', async () => {
          const b = await blobs('collect-all');
          const lines = [...b.values()].join('').trim().split('\n').filter(Boolean);
          return lines.length >= 4 ? b : undefined;
        });
        const hour = new Date().toISOString().slice(0, 13).replace(/[-T]/g, '/');
        for (const name of files.keys()) assert.match(name, new RegExp(`^modelDataCollector/churn-ep/blue/model_(inputs|outputs)/${hour.slice(0, 10)}/\\d{2}/[0-9a-f]{12}-\\d{6}\\.jsonl$`));
        const lines = (collection: string): Record<string, unknown>[] => [...files.entries()].filter(([n]) => n.includes(`/${collection}/`))
          .flatMap(([, text]) => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));
        const inputs = lines('model_inputs');
        const outputs = lines('model_outputs');
        assert.deepStrictEqual(inputs.map((l) => l.correlationid).sort(), ['corr-1', 'corr-3']);
        assert.deepStrictEqual(outputs.map((l) => l.correlationid).sort(), ['corr-1', 'corr-3']);
        const in1 = inputs.find((l) => l.correlationid === 'corr-1')!;
        assert.deepStrictEqual(Object.keys(in1).sort(), ['agent', 'collectdatatype', 'contentrange', 'correlationid', 'data', 'datacontenttype', 'id', 'method', 'modelversion', 'path', 'source', 'specversion', 'time', 'type', 'xrequestid'].sort());
        assert.strictEqual(in1.specversion, '1.0');
        assert.strictEqual(in1.type, 'azureml.inference.model_inputs');
        assert.strictEqual(in1.datacontenttype, 'application/json');
        assert.strictEqual(in1.source, '/subscriptions/s/resourceGroups/rg-ml/providers/Microsoft.ContainerInstance/containerGroups/churn-ep');
        assert.deepStrictEqual(in1.data, [{ data: [1, 2] }]);
        const size = Buffer.byteLength(JSON.stringify(in1.data));
        assert.strictEqual(in1.contentrange, `bytes 0-${size - 1}/${size}`);
        assert.match(String(in1.time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        const out1 = outputs.find((l) => l.correlationid === 'corr-1')!;
        assert.strictEqual(out1.type, 'azureml.inference.model_outputs');
        assert.deepStrictEqual(out1.data, [{ prediction: [2, 4] }]);
      } finally {
        await s.stop();
      }
    });

    it('samples with DATA_COLLECTOR_SAMPLE_RATE', async () => {
      const s = await startServer(dir, {
        DATA_COLLECTOR_SAS_URL: await sasUrl('collect-sampled', 'cw'), DATA_COLLECTOR_SAMPLE_RATE: '0.25',
        SSL_CERT_FILE: bed.emulator.caFile, TELEMETRY_FLUSH_SECONDS: '0.2',
      });
      try {
        for (let i = 0; i < 200; i++) await call(s.port, 'POST', '/score', { body: '{"data": [1]}' });
        await new Promise((r) => setTimeout(r, 1500));
        const n = [...(await blobs('collect-sampled')).entries()].filter(([k]) => k.includes('/model_inputs/')).map(([, t]) => t.trim().split('\n').length).reduce((a, b) => a + b, 0);
        assert.ok(n >= 25 && n <= 80, `${n} of 200 requests collected at 0.25`);
      } finally {
        await s.stop();
      }
    });

    it('keeps scoring when the storage refuses the writes (read-only SAS), and logs that once per minute', async () => {
      const s = await startServer(dir, { DATA_COLLECTOR_SAS_URL: await sasUrl('collect-denied', 'r'), SSL_CERT_FILE: bed.emulator.caFile, TELEMETRY_FLUSH_SECONDS: '0.1' });
      try {
        for (let i = 0; i < 10; i++) {
          assert.strictEqual((await call(s.port, 'POST', '/score', { body: '{"data": [1]}' })).status, 200);
          await new Promise((r) => setTimeout(r, 50));
        }
        await until('the failure line', () => (/Data collector: \d+ items not sent: HTTP 403/.test(s.output()) ? true : undefined));
        await new Promise((r) => setTimeout(r, 400));
        assert.strictEqual((s.output().match(/Data collector:/g) ?? []).length, 1, s.output());
        assert.ok(!s.output().includes('sig='), 'the SAS signature is never logged');
      } finally {
        await s.stop();
      }
    });

    it('refuses a DATA_COLLECTOR_SAS_URL without a SAS, or a sample rate outside (0, 1], in one line', async () => {
      await assert.rejects(startServer(dir, { DATA_COLLECTOR_SAS_URL: `${bed.azurite.ipBlobUrl()}/c` }),
        /exited with 1: The scoring server does not start: DATA_COLLECTOR_SAS_URL is not a container URL with a SAS query string\n$/);
      await assert.rejects(startServer(dir, { DATA_COLLECTOR_SAS_URL: 'https://a.blob.core.windows.net/c?sv=1&sig=x', DATA_COLLECTOR_SAMPLE_RATE: '2' }),
        /exited with 1: The scoring server does not start: DATA_COLLECTOR_SAMPLE_RATE='2' is not a number in \(0, 1\]\n$/);
    });
  });
});
