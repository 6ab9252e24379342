// Integration: the BUNDLED task (dist/tasks/CreateImage/index.js) as a child process against the
// emulator (ARM, ACR Tasks, registry data plane) and Azurite (datastore blobs, build sources, run logs).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestBed, type TestBed } from '../../../test/harness/testbed';
import { assertNoSecretsLeaked, runTask, serviceConnectionEnv, type ServiceConnectionEnv, type TaskRun } from '../../../test/harness/run-task';
import { seedModelVersions } from '../../../test/emulator/services/aml-models';
import { acrControl, acrRuns, images, registries, type RunRecord } from '../../../test/emulator/services/acr';
import { unknownResources } from '../../../test/emulator/services/entra';
import type { RecordedRequest } from '../../../test/emulator';
import { missingCopySources } from '../src/buildContext';

// CREATEIMAGE_BUNDLE: run another build of the same bundle (e.g. one made outside the shared dist/ folder)
const BUNDLE = process.env.CREATEIMAGE_BUNDLE ?? path.resolve(__dirname, '..', '..', '..', '..', 'dist', 'tasks', 'CreateImage', 'index.js');
const SCORE = 'import json, os\n\ndef init():\n    global w\n    w = json.load(open(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model", "weights.json")))["w"]\n\ndef run(raw):\n    return [x * w for x in json.loads(raw)["data"]]\n';

describe('CreateImage integration (bundled task, emulator + Azurite)', function () {
  this.timeout(240_000);
  let bed: TestBed;
  let conn: ServiceConnectionEnv;
  let work: string;
  let tools: string;
  let registryName: string;
  let loginServer: string;

  before(async function () {
    assert.ok(fs.existsSync(BUNDLE), `build first: ${BUNDLE} is missing`);
    bed = await startTestBed();
    conn = serviceConnectionEnv(bed.emulator, 'spnKey', { id: 'conn1' });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'createimage-it-'));
    tools = path.join(work, '_tool');
    const ws = bed.emulator.state.getWorkspace('rg-ml', 'mlw')!;
    registryName = ws.containerRegistryName!;
    loginServer = `${registryName.toLowerCase()}.azurecr.localhost:${bed.emulator.port}`;
    const container = bed.container(ws.datastores.get('workspaceblobstore')!.containerName);
    await container.getBlockBlobClient('models/churn/1/model/weights.json').uploadData(Buffer.from('{"w": 2}'));
    await container.getBlockBlobClient('models/churn/1/model/meta/info.txt').uploadData(Buffer.from('churn v1'));
    await container.getBlockBlobClient('azureml/train-7/model/weights.json').uploadData(Buffer.from('{"w": 5}'));
    seedModelVersions(bed.emulator, { name: 'churn', count: 2, uri: (n) => (n === 1 ? 'azureml://datastores/workspaceblobstore/paths/models/churn/1/model' : 'azureml://jobs/train-7/outputs/model') });
    file('proj/score.py', SCORE);
    file('proj/requirements.txt', 'numpy==1.26.4\n');
    file('proj/src/helpers.py', 'HELP = 1\n');
  });
  after(async () => {
    await bed?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  function file(rel: string, content: string): string {
    const p = path.join(work, ...rel.split('/'));
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
    return p;
  }

  /** Every secret the emulator handed out that could reach the task's output. */
  function plantedSecrets(): string[] {
    const tokens = [...bed.emulator.state.bucket<unknown>('acr.tokens').keys()];
    const passwords = [...registries(bed.emulator).values()].flatMap((r) => r.passwords);
    return [bed.emulator.identities.spnSecret.secret, ...conn.secrets, ...tokens, ...passwords, bed.emulator.state.storage.accountKey];
  }

  async function run(inputs: Record<string, string>, o: { variables?: Record<string, string>; signal?: { name: 'SIGINT'; whenStdoutMatches?: RegExp; when?: Promise<unknown> } } = {}): Promise<TaskRun> {
    const r = await runTask(BUNDLE, {
      inputs: {
        azureSubscription: 'conn1', resourceGroup: 'rg-ml', workspaceName: 'mlw', modelId: 'azureml:churn:1',
        scoringScript: path.join(work, 'proj/score.py'), requirementsFile: path.join(work, 'proj/requirements.txt'),
        sourceDirectory: path.join(work, 'proj/src'), ...inputs,
      },
      connection: conn,
      variables: { 'Build.BuildId': '42', 'Build.Repository.Name': 'contoso/churn', 'Build.SourceVersion': 'abc123', ...o.variables },
      env: { AGENT_TOOLSDIRECTORY: tools },
      ...(o.signal ? { signal: o.signal } : {}),
      timeoutMs: 120_000,
    });
    assertNoSecretsLeaked(r, plantedSecrets());
    // SAS signatures (upload URL, log URL) are masked wherever they would appear
    // (the ##vso[task.setsecret] lines are how the agent learns what to mask: they carry the value)
    const leaked = r.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.setsecret]') && /[?&]sig=[^*&\s]/.test(l));
    assert.deepEqual(leaked.map((l) => l.slice(0, 80)), [], 'a SAS signature reached the log');
    return r;
  }

  const since = (mark: number, pred: (r: RecordedRequest) => boolean): RecordedRequest[] => bed.emulator.requests.filter((r) => r.time >= mark && pred(r));
  const isPath = (re: RegExp) => (r: RecordedRequest): boolean => re.test(r.path);

  it('builds the image in ACR from the model files, score.py, server.py and the environment', async () => {
    const mark = Date.now();
    const r = await run({});
    assert.equal(r.result, 'Succeeded', `${r.message}\n${r.stdout}`);
    assert.equal(r.outputs.imageName, 'churn');
    assert.equal(r.outputs.imageTag, '1-42');
    assert.equal(r.outputs.registryLoginServer, loginServer);
    assert.equal(r.outputs.imageUri, `${loginServer}/churn:1-42`);
    assert.match(r.outputs.imageDigest, /^sha256:[a-f0-9]{64}$/);

    const img = images(bed.emulator).get(`${loginServer}/churn:1-42`);
    assert.ok(img, 'image stored in the registry');
    assert.equal(img.digest, r.outputs.imageDigest);
    assert.equal(images(bed.emulator).get(`${loginServer}/churn@${img.digest}`), img);
    assert.equal(r.outputs.pinnedImageUri, `${loginServer}/churn@${img.digest}`);
    const ctxTags = [...images(bed.emulator).keys()].filter((k) => k.startsWith(`${loginServer}/churn:ctx-`));
    assert.equal(ctxTags.length, 1, 'tagged with the context hash too');

    // the context, as extracted by the registry: every COPY source exists, the layout is the contract's
    const listing: string[] = [];
    const walk = (d: string, rel: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name), `${rel}${e.name}/`);
        else listing.push(rel + e.name);
      }
    };
    walk(img.contextDir, '');
    assert.deepEqual(listing.sort(), ['Dockerfile', 'environment/requirements.txt', 'model/model/meta/info.txt', 'model/model/weights.json', 'scoring/helpers.py', 'scoring/score.py', 'scoring/server.py']);
    const dockerfile = fs.readFileSync(path.join(img.contextDir, 'Dockerfile'), 'utf8');
    assert.deepEqual(missingCopySources(dockerfile, listing), []);
    assert.match(dockerfile, /^ENV AZUREML_MODEL_DIR=\/var\/azureml-app\/model$/m);
    assert.equal(img.labels['azureml.model.id'], 'azureml:churn:1');
    assert.equal(img.labels['ado.runId'], '42');
    assert.equal(img.labels['org.opencontainers.image.revision'], 'abc123');

    const schedule = since(mark, isPath(/\/scheduleRun$/));
    assert.equal(schedule.length, 1);
    const body = JSON.parse(schedule[0].body);
    assert.equal(body.type, 'DockerBuildRequest');
    assert.deepEqual(body.imageNames, ['churn:1-42', ctxTags[0].slice(loginServer.length + 1)]);
    assert.deepEqual(body.platform, { os: 'Linux', architecture: 'amd64' });
    assert.equal(body.isPushEnabled, true);
    // the build log was streamed inside a group
    assert.match(r.stdout, /##\[group\]ACR build log/);
    assert.match(r.stdout, /Step \d+\/\d+ : COPY --chown=dockeruser:dockeruser scoring\//);
    // an external base (the default mcr.microsoft.com image; no network to it) is hashed as written, and the log says so
    assert.match(r.stdout, /Base image mcr\.microsoft\.com\/\S+: outside registry '.+', hashed as written/);
    assert.ok(r.summaries.some((s) => s.includes('Scoring image') && s.includes(img.digest)));
    assert.doesNotMatch(r.stdout + r.stderr, /Can't find loc string|loc string for key/i);
  });

  it('a second build on the same agent downloads nothing and reuses the image built from the same context', async () => {
    const before = [...images(bed.emulator).values()][0].digest;
    const mark = Date.now();
    const r = await run({}, { variables: { 'Build.BuildId': '43' } });
    assert.equal(r.result, 'Succeeded', `${r.message}\n${r.stdout}`);
    assert.match(r.stdout, /found in the agent tool cache, every file matching its blob's Content-MD5: nothing to download/);
    // the cached copy is checked against the blobs' Content-MD5: one listing of the model folder, no download
    assert.equal(since(mark, isPath(/\/datastores\/[^/]+\/listSecrets$/i)).length, 1, 'the datastore is read once, for the listing');
    assert.equal(since(mark, isPath(/\/scheduleRun$/)).length, 0, 'no build');
    assert.equal(since(mark, isPath(/\/listBuildSourceUploadUrl$/)).length, 0, 'no upload');
    assert.match(r.stdout, /already holds image .* built from the same context/);
    assert.equal(r.outputs.imageTag, '1-43');
    assert.equal(r.outputs.imageDigest, before);
    assert.equal(images(bed.emulator).get(`${loginServer}/churn:1-43`)?.digest, before, 'the new tag points at the same image');
    // the honest existence check: token exchange, then HEAD on the manifest
    assert.ok(since(mark, (q) => q.method === 'POST' && q.path === '/oauth2/exchange').length >= 1);
    assert.ok(since(mark, (q) => q.method === 'HEAD' && /\/v2\/churn\/manifests\/ctx-[a-f0-9]{12}$/.test(q.path)).length === 1);
  });

  it('a tampered tool cache (a model file changed, a file added) is downloaded again, saying why in one line (issue 15 item 6)', async () => {
    const cacheRoot = path.join(tools, 'azureml-model-churn');
    const weights = (): string => {
      const found: string[] = [];
      const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) walk(p);
          else if (p.endsWith(path.join('model', 'weights.json'))) found.push(p);
        }
      };
      walk(cacheRoot);
      assert.equal(found.length, 1, found.join(', '));
      return found[0];
    };
    // another pipeline on the agent rewrites a cached model file
    fs.writeFileSync(weights(), '{"w": 666}');
    const r = await run({}, { variables: { 'Build.BuildId': '44' } });
    assert.equal(r.result, 'Succeeded', `${r.message}\n${r.stdout}`);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith("The agent tool cache's copy of model azureml:churn:1 does not match its blobs"));
    assert.equal(lines.length, 1, r.stdout);
    assert.match(lines[0], /\('model\/weights\.json' differs from its blob \(MD5 [A-Za-z0-9+/=]+, Content-MD5 [A-Za-z0-9+/=]+\)\): downloading it again\.$/);
    assert.match(r.stdout, /Downloaded 2 file\(s\) .* of model azureml:churn:1/);
    assert.equal(fs.readFileSync(weights(), 'utf8'), '{"w": 2}', 'the cache holds the blob again');
    // the image built from the same (genuine) files is the one reused: nothing built from the tampered file
    assert.equal(r.outputs.imageDigest, [...images(bed.emulator).values()][0].digest);

    // a file planted beside the genuine ones is caught too
    fs.writeFileSync(path.join(path.dirname(weights()), 'sitecustomize.py'), 'import os\n');
    const r2 = await run({}, { variables: { 'Build.BuildId': '45' } });
    assert.equal(r2.result, 'Succeeded', `${r2.message}\n${r2.stdout}`);
    assert.match(r2.stdout, /does not match its blobs \(it holds 3 entries, the model 2 files\): downloading it again\./);
    assert.ok(!fs.existsSync(path.join(path.dirname(weights()), 'sitecustomize.py')));
  });

  it('does not reuse a context tag that no ACR run of the registry produced (pushed from elsewhere): it builds', async () => {
    const ctxKey = [...images(bed.emulator).keys()].find((k) => k.startsWith(`${loginServer}/churn:ctx-`));
    assert.ok(ctxKey);
    const genuine = images(bed.emulator).get(ctxKey)!;
    const foreign = `sha256:${'f'.repeat(64)}`;
    images(bed.emulator).set(ctxKey, { ...genuine, digest: foreign });
    images(bed.emulator).set(`${loginServer}/churn@${foreign}`, { ...genuine, digest: foreign });
    const mark = Date.now();
    const r = await run({}, { variables: { 'Build.BuildId': '45' } });
    assert.equal(r.result, 'Succeeded', `${r.message}\n${r.stdout}`);
    assert.ok(r.issues.some((i) => i.type === 'warning' && i.message.includes(`points at ${foreign}, which no ACR run of registry`)), r.stdout);
    assert.equal(since(mark, isPath(/\/scheduleRun$/)).length, 1, 'built instead of reusing');
    assert.notEqual(r.outputs.imageDigest, foreign);
    assert.equal(images(bed.emulator).get(ctxKey)?.digest, r.outputs.imageDigest, 'the build took the context tag back');
  });

  it('a scheduleRun reply lost after the run was created: follows that run, never starts a second build', async () => {
    file('proj/score-lost.py', SCORE + '\n# a context of its own\n');
    const runsBefore = acrRuns(bed.emulator).size;
    const lost = bed.emulator.faults.inject({ host: /^management\.localhost$/, method: 'POST', path: /\/scheduleRun$/, kind: 'lostReply', times: 1 });
    const mark = Date.now();
    const r = await run({ scoringScript: path.join(work, 'proj/score-lost.py'), imageTag: 'lost-reply' }).finally(() => bed.emulator.faults.clear());
    assert.equal(r.result, 'Succeeded', `${r.message}\n${r.stdout}`);
    assert.equal(lost.hits, 1);
    assert.equal(since(mark, isPath(/\/scheduleRun$/)).length, 1, 'scheduleRun sent once');
    const created = [...acrRuns(bed.emulator).values()].slice(runsBefore);
    assert.equal(created.length, 1, 'one run in the registry');
    assert.match(r.stdout, new RegExp(`run ${created[0].runId} started in registry '.+' since then: following it instead of starting another build`));
    assert.equal(r.outputs.imageDigest, created[0].outputImages[0].digest);
    assert.equal(images(bed.emulator).get(`${loginServer}/churn:lost-reply`)?.digest, r.outputs.imageDigest);
  });

  it('a throttled scheduleRun (429: not processed) is sent again after Retry-After: one run', async () => {
    file('proj/score-429.py', SCORE + '\n# throttled\n');
    const runsBefore = acrRuns(bed.emulator).size;
    const throttled = bed.emulator.faults.inject({ host: /^management\.localhost$/, method: 'POST', path: /\/scheduleRun$/, kind: 'throttle', times: 1, retryAfterSeconds: 1 });
    const mark = Date.now();
    const r = await run({ scoringScript: path.join(work, 'proj/score-429.py'), imageTag: 'throttled' }).finally(() => bed.emulator.faults.clear());
    assert.equal(r.result, 'Succeeded', `${r.message}\n${r.stdout}`);
    assert.equal(throttled.hits, 1);
    assert.deepEqual(since(mark, isPath(/\/scheduleRun$/)).map((q) => q.status), [429, 200]);
    assert.equal(acrRuns(bed.emulator).size - runsBefore, 1);
  });

  it("a base image of the registry is part of the reuse key: reused while its tag stays, rebuilt once it moves", async () => {
    const base = `${loginServer}/base:1`;
    const some = [...images(bed.emulator).values()][0];
    const d1 = `sha256:${'1'.repeat(64)}`;
    const d2 = `sha256:${'2'.repeat(64)}`;
    images(bed.emulator).set(base, { ...some, digest: d1 });
    const first = await run({ baseImage: base, imageTag: 'base-a' });
    assert.equal(first.result, 'Succeeded', `${first.message}\n${first.stdout}`);
    assert.match(first.stdout, new RegExp(`Base image ${base.replace(/[.]/g, '\\.')}: ${d1} \\(part of the reuse key\\)`));
    const mark = Date.now();
    const again = await run({ baseImage: base, imageTag: 'base-b' });
    assert.equal(again.result, 'Succeeded', `${again.message}\n${again.stdout}`);
    assert.equal(since(mark, isPath(/\/scheduleRun$/)).length, 0, 'same base digest: reused');
    assert.equal(again.outputs.imageDigest, first.outputs.imageDigest);
    images(bed.emulator).set(base, { ...some, digest: d2 });
    const mark2 = Date.now();
    const moved = await run({ baseImage: base, imageTag: 'base-c' });
    assert.equal(moved.result, 'Succeeded', `${moved.message}\n${moved.stdout}`);
    assert.equal(since(mark2, isPath(/\/scheduleRun$/)).length, 1, 'the base moved: a new image is built');
    assert.notEqual(moved.outputs.imageDigest, first.outputs.imageDigest);
  });

  it('a registry with azureADAuthenticationAsArmPolicy disabled: the exchange uses an ACR-audience token', async () => {
    const reg = registries(bed.emulator).get(registryName.toLowerCase())!;
    reg.armAudienceTokens = 'disabled';
    try {
      const mark = Date.now();
      const r = await run({}, { variables: { 'Build.BuildId': '44' } });
      assert.equal(r.result, 'Succeeded', `${r.message}\n${r.stdout}`);
      assert.equal(r.outputs.imageTag, '1-44');
      const exchanges = since(mark, (q) => q.method === 'POST' && q.path === '/oauth2/exchange');
      const audiences = exchanges.map((q) => {
        const jwt = new URLSearchParams(q.body).get('access_token') ?? '';
        return (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}') as { aud?: string }).aud;
      });
      assert.deepEqual(audiences, ['https://containerregistry.azure.net'], 'one exchange, with the registry audience');
      assert.deepEqual(exchanges.map((q) => q.status), [200]);
    } finally {
      reg.armAudienceTokens = 'enabled';
    }
  });

  it('falls back to an ARM-audience token where the registry audience is unknown to the tenant (AADSTS500011)', async () => {
    unknownResources(bed.emulator).set('https://containerregistry.azure.net', true);
    const mark = Date.now();
    const r = await run({}, { variables: { 'Build.BuildId': '45' } }).finally(() => unknownResources(bed.emulator).clear());
    assert.equal(r.result, 'Succeeded', `${r.message}\n${r.stdout}`);
    const ok = since(mark, (q) => q.method === 'POST' && q.path === '/oauth2/exchange' && q.status === 200);
    const aud = (JSON.parse(Buffer.from((new URLSearchParams(ok[0].body).get('access_token') ?? '').split('.')[1], 'base64url').toString('utf8')) as { aud: string }).aud;
    assert.match(aud, /^https:\/\/management\./);
  });

  it('a run that fails before it writes a log: the failure names its runErrorMessage', async () => {
    const control = acrControl(bed.emulator);
    control.failBeforeLogWith = 'failed to download context. Please check if the URL is incorrect. ##vso[task.setvariable variable=injected]x';
    try {
      const r = await run({ sourceDirectory: path.join(work, 'proj') }, { variables: { 'Build.BuildId': '46' } });
      assert.equal(r.result, 'Failed', r.stdout);
      assert.match(r.message ?? '', /ended Failed: failed to download context\. Please check if the URL is incorrect\./);
      assert.equal(r.variables.injected, undefined, 'the remote message cannot set variables');
    } finally {
      control.failBeforeLogWith = undefined;
    }
  });

  it('downloads a job-output model from its default path and fails the build with the log tail', async () => {
    acrControl(bed.emulator).failBuildsWith = 'ERROR: No matching distribution found for numpy==1.26.4';
    try {
      const r = await run({ modelId: 'azureml:churn:2', imageTag: 'v2' });
      assert.equal(r.result, 'Failed', r.stdout);
      assert.match(r.message ?? '', /ACR build run \S+ in registry '.+' ended Failed/);
      assert.match(r.stdout, /Downloaded 1 file\(s\)/);
      assert.match(r.stdout, /Last lines of the build log:[\s\S]*No matching distribution found for numpy/);
      assert.equal(images(bed.emulator).get(`${loginServer}/churn:v2`), undefined, 'no image stored');
    } finally {
      acrControl(bed.emulator).failBuildsWith = undefined;
    }
  });

  it('an MLflow-logged model (runs:/<job>/model and azureml://jobs/<job>/outputs/artifacts/paths/model) comes from the artifact store', async () => {
    // where Azure keeps what a job logged with MLflow: the artifact store (workspaceartifactstore, container
    // azureml) under ExperimentRun/dcid.<job>/ — a copy on the default datastore's output path is not it
    const ws = bed.emulator.state.getWorkspace('rg-ml', 'mlw')!;
    const store = bed.container(ws.datastores.get('workspaceartifactstore')!.containerName);
    await store.createIfNotExists();
    await store.getBlockBlobClient('ExperimentRun/dcid.train-mlflow/model/MLmodel').uploadData(Buffer.from('flavors:\n  python_function: {}\n'));
    await store.getBlockBlobClient('ExperimentRun/dcid.train-mlflow/model/weights.json').uploadData(Buffer.from('{"w": 3}'));
    await bed.container(ws.datastores.get('workspaceblobstore')!.containerName).getBlockBlobClient('azureml/train-mlflow/artifacts/model/weights.json').uploadData(Buffer.from('{"w": 0}'));
    seedModelVersions(bed.emulator, { name: 'churn-mlflow', count: 2, modelType: 'mlflow_model', uri: (n) => (n === 1 ? 'runs:/train-mlflow/model' : 'azureml://jobs/train-mlflow/outputs/artifacts/paths/model/') });
    for (const version of ['1', '2']) {
      const r = await run({ modelId: `azureml:churn-mlflow:${version}`, imageTag: `mlflow-${version}` });
      assert.equal(r.result, 'Succeeded', `${r.message}\n${r.stdout}`);
      assert.match(r.stdout, /Downloaded 2 file\(s\)/);
      const img = images(bed.emulator).get(`${loginServer}/churn-mlflow:mlflow-${version}`);
      assert.ok(img, 'image stored');
      assert.equal(fs.readFileSync(path.join(img.contextDir, 'model', 'model', 'weights.json'), 'utf8'), '{"w": 3}');
      assert.ok(fs.existsSync(path.join(img.contextDir, 'model', 'model', 'MLmodel')));
    }
  });

  it('cancels the ACR run when the pipeline is cancelled (SIGINT)', async () => {
    acrControl(bed.emulator).holdRuns = true;
    try {
      file('proj/score-cancel.py', SCORE + '\n# another context\n');
      const mark = Date.now();
      const r = await run({ scoringScript: path.join(work, 'proj/score-cancel.py'), imageTag: 'cancelled' }, { signal: { name: 'SIGINT', whenStdoutMatches: /ACR run \S+: Running/ } });
      assert.equal(r.result, 'Cancelled', r.stdout);
      assert.equal(r.signal, null, 'exited on its own, not killed');
      const cancels = since(mark, (q) => q.method === 'POST' && /\/runs\/[^/]+\/cancel$/.test(q.path));
      assert.equal(cancels.length, 1);
      const runId = /\/runs\/([^/]+)\/cancel$/.exec(cancels[0].path)![1];
      assert.equal(acrRuns(bed.emulator).get(runId)?.status, 'Canceled');
    } finally {
      acrControl(bed.emulator).holdRuns = false;
    }
  });

  /** The runs created since `before` runs existed, once `count` are there (a request slowed past the task's exit is handled later). */
  async function runsCreated(before: number, count: number): Promise<RunRecord[]> {
    for (let i = 0; i < 50 && acrRuns(bed.emulator).size - before < count; i++) await new Promise((res) => setTimeout(res, 100));
    return [...acrRuns(bed.emulator).values()].slice(before);
  }
  /** Resolves once `cond` holds (checked every 20 ms, at most 60 s): the moment the emulator holds a slowed request. */
  async function until(cond: () => boolean): Promise<void> {
    for (let i = 0; i < 3000 && !cond(); i++) await new Promise((res) => setTimeout(res, 20));
  }
  const cancelsSince = (mark: number): string[] =>
    since(mark, (q) => q.method === 'POST' && /\/runs\/[^/]+\/cancel$/.test(q.path)).map((q) => /\/runs\/([^/]+)\/cancel$/.exec(q.path)![1]);

  it('a cancel that arrives while scheduleRun is in flight cancels the run that scheduling created', async () => {
    acrControl(bed.emulator).holdRuns = true;
    try {
      file('proj/score-cancel-scheduling.py', SCORE + '\n# cancelled while scheduling\n');
      const runsBefore = acrRuns(bed.emulator).size;
      // the registry takes 2 s to answer scheduleRun: the SIGINT is sent once the emulator holds the request
      const slow = bed.emulator.faults.inject({ host: /^management\.localhost$/, method: 'POST', path: /\/scheduleRun$/, kind: 'slow', delayMs: 2000, times: 1 });
      const mark = Date.now();
      const r = await run({ scoringScript: path.join(work, 'proj/score-cancel-scheduling.py'), imageTag: 'cancel-scheduling' }, {
        signal: { name: 'SIGINT', when: until(() => slow.hits === 1) },
      }).finally(() => bed.emulator.faults.clear());
      assert.equal(r.result, 'Cancelled', r.stdout);
      assert.equal(r.signal, null, 'exited on its own, not killed');
      assert.equal(slow.hits, 1);
      assert.equal(since(mark, isPath(/\/scheduleRun$/)).length, 1, 'scheduleRun sent once');
      const created = await runsCreated(runsBefore, 1);
      assert.equal(created.length, 1, 'the scheduling created a run');
      assert.deepEqual(cancelsSince(mark), [created[0].runId], r.stdout);
      assert.equal(created[0].status, 'Canceled');
      assert.match(r.stdout, new RegExp(`Cancel: cancel ACR run being scheduled in registry ${registryName}: done\\.`));
    } finally {
      acrControl(bed.emulator).holdRuns = false;
    }
  });

  it('a cancel that arrives while a lost scheduleRun reply is followed up cancels the run it adopts', async () => {
    acrControl(bed.emulator).holdRuns = true;
    try {
      file('proj/score-cancel-lost.py', SCORE + '\n# cancelled while looking for the run\n');
      const runsBefore = acrRuns(bed.emulator).size;
      const lost = bed.emulator.faults.inject({ host: /^management\.localhost$/, method: 'POST', path: /\/scheduleRun$/, kind: 'lostReply', times: 1 });
      // the run listings (the snapshot before scheduling, then the look for the run the lost reply started) take 2 s:
      // the SIGINT is sent once the look is held
      const slowList = bed.emulator.faults.inject({ host: /^management\.localhost$/, method: 'GET', path: /\/runs$/, kind: 'slow', delayMs: 2000, times: 2 });
      const mark = Date.now();
      const r = await run({ scoringScript: path.join(work, 'proj/score-cancel-lost.py'), imageTag: 'cancel-lost' }, {
        signal: { name: 'SIGINT', when: until(() => slowList.hits === 2) },
      }).finally(() => bed.emulator.faults.clear());
      assert.equal(r.result, 'Cancelled', r.stdout);
      assert.equal(r.signal, null, 'exited on its own, not killed');
      assert.equal(lost.hits, 1);
      assert.equal(slowList.hits, 2);
      assert.equal(since(mark, isPath(/\/scheduleRun$/)).length, 1, 'scheduleRun sent once');
      const created = await runsCreated(runsBefore, 1);
      assert.equal(created.length, 1, 'the lost request created a run');
      assert.deepEqual(cancelsSince(mark), [created[0].runId], r.stdout);
      assert.match(r.stdout, new RegExp(`run ${created[0].runId} started in registry '.+' since then: following it`));
      assert.equal(created[0].status, 'Canceled');
    } finally {
      acrControl(bed.emulator).holdRuns = false;
    }
  });

  describe('bad inputs fail before any write', () => {
    const cases: [string, () => Record<string, string>, RegExp][] = [
      ['missing score.py', () => ({ scoringScript: path.join(work, 'proj/nope.py') }), /^Input 'scoringScript': '.*nope\.py' does not exist/],
      ['score.py without init()', () => ({ scoringScript: file('proj/noinit.py', 'def run(d):\n    return d\n') }), /^Input 'scoringScript': .* has no top-level init\(\)/],
      ['score.py without run()', () => ({ scoringScript: file('proj/norun.py', 'def init():\n    pass\n') }), /^Input 'scoringScript': .* has no top-level run\(\)/],
      // python3 checks the script while the task reads Azure: its verdict still comes before the read's failure
      ['score.py without run() and an unknown model', () => ({ scoringScript: file('proj/norun2.py', 'def init():\n    pass\n'), modelId: 'azureml:nosuchmodel:1' }), /^Input 'scoringScript': .* has no top-level run\(\)/],
      ['unknown model', () => ({ modelId: 'azureml:nosuchmodel:1' }), /^Input 'modelId': model 'nosuchmodel' version '1' in workspace 'mlw' does not exist/],
      ['malformed model id', () => ({ modelId: 'churn:1' }), /^Input 'modelId': 'churn:1' is not a model id/],
      ['unknown registry', () => ({ containerRegistry: 'nosuchregistry1' }), /^Input 'containerRegistry': no container registry named 'nosuchregistry1'/],
      ['bad imageName', () => ({ imageName: 'Churn Model' }), /^Input 'imageName': 'Churn Model' is not a valid image name/],
      ['bad imageTag', () => ({ imageTag: '-latest' }), /^Input 'imageTag': '-latest' is not a valid image tag/],
      ['both environment files', () => ({ condaFile: file('proj/conda.yml', 'dependencies:\n  - python=3.11\n') }), /^Input 'requirementsFile': is given together with condaFile/],
      ["a Dockerfile copying what the context lacks", () => ({ dockerfile: file('proj/Dockerfile', 'FROM python:3.11\nCOPY scoring/ /app/\nCOPY config/app.yml /cfg/\n'), imageTag: 'custom' }), /^Input 'dockerfile': the Dockerfile copies files the build context does not hold \(line 3: 'config\/app\.yml'\)/],
    ];
    for (const [name, inputs, expected] of cases) {
      it(name, async () => {
        const mark = Date.now();
        const r = await run(inputs());
        assert.equal(r.result, 'Failed', r.stdout);
        assert.match(r.message ?? '', expected);
        assert.deepEqual(bed.emulator.armWrites().filter((w) => w.time >= mark).map((w) => `${w.method} ${w.path}`), []);
        assert.equal(since(mark, isPath(/\/listBuildSourceUploadUrl$/)).length, 0, 'nothing uploaded');
      });
    }
  });
});
