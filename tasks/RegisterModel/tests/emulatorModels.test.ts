// The emulator's model registry service (test/emulator/services/aml-models.ts) on the wire: shapes,
// paging, filters and the errors the task relies on.
import * as assert from 'node:assert/strict';
import * as https from 'node:https';
import { startEmulator, type Emulator } from '../../../test/emulator';
import { getModelVersion, seedModelVersions, setModelPageSize } from '../../../test/emulator/services/aml-models';

interface Reply {
  status: number;
  body: any;
}

describe('emulator aml-models service', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let token: string;
  let base: string;

  before(async () => {
    emu = await startEmulator({ services: ['entra', 'resources', 'aml-workspace', 'aml-models'] });
    token = emu.issueToken({ audience: 'https://management.azure.com', appId: emu.identities.spnSecret.clientId, objectId: emu.identities.spnSecret.objectId });
    base = `/subscriptions/${emu.identities.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw/models`;
  });
  after(async () => emu?.stop());

  function call(method: string, pathAndQuery: string, body?: unknown): Promise<Reply> {
    const url = new URL(pathAndQuery.startsWith('https://') ? pathAndQuery : `${emu.urls.arm}${pathAndQuery}`);
    if (!url.searchParams.has('api-version')) url.searchParams.set('api-version', '2022-10-01');
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          ca: emu.caPem,
          lookup: (_h, _o, cb) => (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]),
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  async function listAll(pathAndQuery: string): Promise<{ items: any[]; pages: number }> {
    const items: any[] = [];
    let pages = 0;
    let next: string | undefined = pathAndQuery;
    while (next) {
      const r = await call('GET', next);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      items.push(...r.body.value);
      pages++;
      next = r.body.nextLink;
    }
    return { items, pages };
  }

  it('creates a version (201, container created too), updates it (200) and refuses a changed modelUri with 400 "Asset paths cannot be updated."', async () => {
    const put = await call('PUT', `${base}/em1/versions/1`, { properties: { modelUri: 'azureml://jobs/a/outputs/model', modelType: 'custom_model', tags: { t: '1' }, properties: { p: 'x' } } });
    assert.equal(put.status, 201);
    assert.equal(put.body.name, '1');
    assert.match(put.body.id, /\/workspaces\/mlw\/models\/em1\/versions\/1$/);
    assert.equal(put.body.properties.modelUri, 'azureml://jobs/a/outputs/model');
    const container = await call('GET', `${base}/em1`);
    assert.equal(container.status, 200);
    assert.equal(container.body.properties.nextVersion, '2');
    const update = await call('PUT', `${base}/em1/versions/1`, { properties: { modelUri: 'azureml://jobs/a/outputs/model', tags: { t: '2' } } });
    assert.equal(update.status, 200);
    assert.deepEqual(getModelVersion(emu, 'em1', '1')!.tags, { t: '2' });
    assert.equal(getModelVersion(emu, 'em1', '1')!.properties.p, 'x', 'properties are kept');
    const conflict = await call('PUT', `${base}/em1/versions/1`, { properties: { modelUri: 'azureml://jobs/b/outputs/model' } });
    assert.equal(conflict.status, 400);
    assert.deepEqual(conflict.body.error, { code: 'UserError', message: 'Asset paths cannot be updated.' });
    assert.equal(getModelVersion(emu, 'em1', '1')!.modelUri, 'azureml://jobs/a/outputs/model');
  });

  it('answers ARM-shaped 404s and 400s', async () => {
    const missing = await call('GET', `${base}/em1/versions/99`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'UserError');
    assert.equal((await call('GET', `${base}/nope`)).status, 404);
    const badName = await call('PUT', `${base}/bad%20name/versions/1`, { properties: { modelUri: 'u' } });
    assert.equal(badName.status, 400);
    const noUri = await call('PUT', `${base}/em2/versions/1`, { properties: {} });
    assert.equal(noUri.status, 400);
    assert.match(noUri.body.error.message, /modelUri/);
    const noVersion = await call('GET', `${base}/em1/versions?api-version=2021-01-01`);
    assert.equal(noVersion.status, 400);
    const ws404 = await call('GET', base.replace('/mlw/', '/nows/') + '/em1/versions');
    assert.equal(ws404.status, 404);
  });

  it('pages with $skip (nextLink keeps the filters) and filters by tags client-visible', async () => {
    seedModelVersions(emu, { name: 'em3', count: 150, tags: (i) => (i % 50 === 0 ? { stage: 'production', team: 'a' } : { team: i % 2 ? 'a' : 'b' }) });
    const all = await listAll(`${base}/em3/versions`);
    assert.equal(all.items.length, 150);
    assert.equal(all.pages, 2);
    assert.equal(all.items[0].name, '150', 'newest first by default');
    const prod = await listAll(`${base}/em3/versions?tags=${encodeURIComponent('stage=production')}`);
    assert.deepEqual(prod.items.map((v) => v.name), ['150', '100', '50']);
    const keyOnly = await listAll(`${base}/em3/versions?tags=stage,team=a`);
    assert.equal(keyOnly.items.length, 3);
    setModelPageSize(emu, 20);
    try {
      const paged = await listAll(`${base}/em3/versions?tags=team%3Db`);
      assert.equal(paged.items.length, 72);
      assert.equal(paged.pages, 4);
    } finally {
      setModelPageSize(emu, 100);
    }
  });

  it('honours listViewType, $orderBy and $top', async () => {
    seedModelVersions(emu, { name: 'em4', count: 5, archived: (i) => i === 5 });
    assert.deepEqual((await listAll(`${base}/em4/versions`)).items.map((v) => v.name), ['4', '3', '2', '1']);
    assert.deepEqual((await listAll(`${base}/em4/versions?listViewType=All`)).items.map((v) => v.name), ['5', '4', '3', '2', '1']);
    assert.deepEqual((await listAll(`${base}/em4/versions?listViewType=ArchivedOnly`)).items.map((v) => v.name), ['5']);
    assert.deepEqual((await listAll(`${base}/em4/versions?%24orderBy=createdtime%20asc&%24top=2`)).items.map((v) => v.name), ['1', '2']);
    assert.equal((await call('GET', `${base}/em4/versions?listViewType=Everything`)).status, 400);
    assert.equal((await call('GET', `${base}/em4/versions?%24orderBy=size`)).status, 400);
  });

  it('creates and reads a model container, and lists containers', async () => {
    const put = await call('PUT', `${base}/em5`, { properties: { description: 'd', tags: { a: 'b' } } });
    assert.equal(put.status, 201);
    assert.equal((await call('PUT', `${base}/em5`, { properties: { description: 'e' } })).status, 200);
    const got = await call('GET', `${base}/em5`);
    assert.equal(got.body.properties.description, 'e');
    assert.equal(got.body.properties.nextVersion, '1');
    const list = await listAll(base);
    assert.ok(list.items.some((c) => c.name === 'em5'));
  });
});
