// Unit tests of TrainModel's pure logic: input parsing, snapshot and hash, job naming and body,
// environment versions, metrics and run details parsing, report formatting.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as sinon from 'sinon';
import * as tl from 'azure-pipelines-task-lib/task';
import { InputError } from '../../shared/src/inputs';
import { errorFromDetails, pickLog } from '../src/dataplane';
import { condaEnvironmentVersion, newestVersion } from '../../shared/src/assets';
import { isoDuration, parseEnvironment, parseJobInputs, parseJobInputValue, readInputs } from '../src/inputs';
import { attemptJobName, commandJobBody, distributionConfig, jobNotReusable, MAX_NAME_SLOTS, planJob, slotJobName } from '../src/job';
import { isTransient } from '../src/waitForJob';
import { formatMetricValue, summaryMarkdown } from '../src/report';
import { listSnapshotFiles, snapshotCode } from '../../shared/src/assets';

function throwsInput(fn: () => unknown, input: string, pattern?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.strictEqual(e.input, input);
    assert.ok(e.message.startsWith(`Input '${input}':`), e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'train-unit-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

describe('TrainModel inputs', () => {
  describe('jobInputs', () => {
    it('literal, data asset, folder and file URIs, explicit prefixes', () => {
      assert.deepStrictEqual(parseJobInputValue('lr', '0.1', 1), { type: 'literal', value: '0.1' });
      assert.deepStrictEqual(parseJobInputValue('d', 'azureml:energy:3', 1), { type: 'uri_folder', value: 'azureml:energy:3' });
      assert.deepStrictEqual(parseJobInputValue('d', 'azureml:energy@latest', 1), { type: 'uri_folder', value: 'azureml:energy@latest' });
      assert.deepStrictEqual(parseJobInputValue('d', 'azureml://datastores/ws/paths/data/', 1), { type: 'uri_folder', value: 'azureml://datastores/ws/paths/data/' });
      assert.deepStrictEqual(parseJobInputValue('d', 'https://acct.blob.core.windows.net/c/train.csv', 1), { type: 'uri_file', value: 'https://acct.blob.core.windows.net/c/train.csv' });
      assert.deepStrictEqual(parseJobInputValue('d', 'uri_file:azureml:energy:3', 1), { type: 'uri_file', value: 'azureml:energy:3' });
      assert.deepStrictEqual(parseJobInputValue('u', 'literal:https://example.org/x', 1), { type: 'literal', value: 'https://example.org/x' });
      assert.deepStrictEqual(parseJobInputValue('d', 'uri_folder:wasbs://c@acct.blob.core.windows.net/data', 1), { type: 'uri_folder', value: 'wasbs://c@acct.blob.core.windows.net/data' });
    });
    it('rejects malformed lines, names and references with the input name', () => {
      throwsInput(() => parseJobInputs('learning_rate'), 'jobInputs', /line 1 .*has no '='/);
      throwsInput(() => parseJobInputs('1abc=3'), 'jobInputs', /not valid/);
      throwsInput(() => parseJobInputs('a=1\na=2'), 'jobInputs', /repeated/);
      throwsInput(() => parseJobInputs('d=azureml:bad name:1'), 'jobInputs', /not a data asset reference/);
      throwsInput(() => parseJobInputs('d=azureml:energy'), 'jobInputs', /not a data asset reference/);
      throwsInput(() => parseJobInputs('d=ftp://host/file'), 'jobInputs', /not a supported URI/);
      throwsInput(() => parseJobInputs('d=uri_folder:'), 'jobInputs', /empty value after 'uri_folder:'/);
      throwsInput(() => parseJobInputs('d=uri_file:plain-text'), 'jobInputs', /not a supported URI/);
      throwsInput(() => parseJobInputs('d='), 'jobInputs', /empty value/);
    });
    it('keeps order and skips comments', () => {
      const m = parseJobInputs('# comment\nb=2\n\na=azureml:x:1\n');
      assert.deepStrictEqual([...m.keys()], ['b', 'a']);
    });
  });

  describe('environment', () => {
    const o = { experimentName: 'energy', baseImage: 'mcr.microsoft.com/azureml/base:1', exists: () => true, read: () => 'name: my-env\ndependencies:\n  - python=3.11\n' };
    it('references', () => {
      assert.deepStrictEqual(parseEnvironment('azureml:sk-env:7', o), { kind: 'version', name: 'sk-env', version: '7', text: 'azureml:sk-env:7' });
      assert.deepStrictEqual(parseEnvironment('azureml:sk-env@latest', o), { kind: 'latest', name: 'sk-env', text: 'azureml:sk-env@latest' });
      const reg = 'azureml://registries/azureml/environments/sklearn-1.5/versions/3';
      assert.deepStrictEqual(parseEnvironment(reg, o), { kind: 'registry', id: reg, text: reg });
    });
    it('a conda file is named by its name: line, else by the experiment, or by environmentName', () => {
      const e = parseEnvironment('env/conda.yml', o);
      assert.strictEqual(e.kind, 'conda');
      assert.strictEqual(e.kind === 'conda' && e.name, 'my-env');
      const unnamed = parseEnvironment('conda.yml', { ...o, read: () => 'dependencies:\n  - pip\n' });
      assert.strictEqual(unnamed.kind === 'conda' && unnamed.name, 'energy-env');
      const named = parseEnvironment('conda.yml', { ...o, environmentName: 'explicit' });
      assert.strictEqual(named.kind === 'conda' && named.name, 'explicit');
    });
    it('bad references, missing files, missing baseImage', () => {
      throwsInput(() => parseEnvironment('azureml:env', o), 'environment', /not a valid environment reference/);
      throwsInput(() => parseEnvironment('azureml:env:', o), 'environment');
      throwsInput(() => parseEnvironment('azureml://registries/azureml/models/x', o), 'environment', /registry environment id/);
      throwsInput(() => parseEnvironment('nope.yml', { ...o, exists: () => false }), 'environment', /neither an 'azureml:' reference nor an existing conda file/);
      throwsInput(() => parseEnvironment('c.yml', { ...o, read: () => 'name: x\n' }), 'environment', /no top-level 'dependencies:'/);
      throwsInput(() => parseEnvironment('c.yml', { ...o, baseImage: undefined }), 'baseImage', /required when environment is a conda file/);
      throwsInput(() => parseEnvironment('c.yml', { ...o, baseImage: 'not an image' }), 'baseImage', /not a Docker image reference/);
      throwsInput(() => parseEnvironment('c.yml', { ...o, environmentName: 'bad name' }), 'environmentName');
    });
    it('conda version: content hash of file and base image, line endings ignored', () => {
      const a = condaEnvironmentVersion('dependencies:\n  - pip\n', 'img:1');
      assert.match(a, /^[0-9a-f]{16}$/);
      assert.strictEqual(condaEnvironmentVersion('dependencies:\r\n  - pip\r\n', 'img:1'), a);
      assert.notStrictEqual(condaEnvironmentVersion('dependencies:\n  - pip\n', 'img:2'), a);
      assert.notStrictEqual(condaEnvironmentVersion('dependencies:\n  - numpy\n', 'img:1'), a);
    });
    it('newest version by creation time, numeric version breaks ties', () => {
      const v = (name: string, createdAt: string): { name: string; systemData: { createdAt: Date }; properties: object } => ({ name, systemData: { createdAt: new Date(createdAt) }, properties: {} });
      assert.strictEqual(newestVersion([v('1', '2024-01-01'), v('3', '2024-03-01'), v('2', '2024-02-01')])?.name, '3');
      assert.strictEqual(newestVersion([v('9', '2024-01-01'), v('10', '2024-01-01')])?.name, '10');
      assert.strictEqual(newestVersion([]), undefined);
    });
  });

  it('timeout as ISO 8601', () => {
    assert.strictEqual(isoDuration(120), 'PT2H');
    assert.strictEqual(isoDuration(90), 'PT90M');
    assert.strictEqual(isoDuration(0.1), 'PT6S');
  });

  describe('readInputs (task-lib inputs stubbed)', () => {
    let inputs: Record<string, string>;
    let dir: string;
    beforeEach(() => {
      dir = tree({ 'src/train.py': 'x', 'conda.yml': 'dependencies:\n  - pip\n' });
      inputs = {
        resourceGroup: 'rg-ml', workspaceName: 'mlw', experimentName: 'energy', codePath: path.join(dir, 'src'), command: 'python train.py',
        environment: path.join(dir, 'conda.yml'), baseImage: 'img:1', compute: 'cpu-cluster',
      };
      sinon.stub(tl, 'getInput').callsFake((name: string) => inputs[name]);
    });
    afterEach(() => sinon.restore());

    it('defaults', () => {
      const p = readInputs();
      assert.strictEqual(p.instanceCount, 1);
      assert.strictEqual(p.distribution, 'none');
      assert.strictEqual(p.waitForCompletion, true);
      assert.strictEqual(p.cancelJobOnPipelineCancel, true);
      assert.strictEqual(p.timeoutMinutes, 120);
      assert.strictEqual(p.modelOutputName, 'model');
      assert.strictEqual(p.jobName, undefined);
    });
    const bad: [string, string, string, RegExp?][] = [
      ['experimentName', '', 'experimentName', /required/],
      ['experimentName', 'my exp', 'experimentName', /not a valid Azure ML name/],
      ['workspaceName', 'ws!', 'workspaceName'],
      ['resourceGroup', 'rg/x', 'resourceGroup'],
      ['codePath', '/does/not/exist', 'codePath', /does not exist/],
      ['command', '', 'command'],
      ['compute', 'cpu cluster', 'compute'],
      ['instanceCount', '0', 'instanceCount', /out of range/],
      ['instanceCount', 'two', 'instanceCount', /not an integer/],
      ['distribution', 'horovod', 'distribution', /'none', 'pytorch', 'mpi', 'tensorflow'/],
      ['processCountPerInstance', '0', 'processCountPerInstance'],
      ['timeoutMinutes', '-5', 'timeoutMinutes'],
      ['waitForCompletion', 'maybe', 'waitForCompletion'],
      ['jobName', 'bad/name', 'jobName'],
      ['environmentVariables', '1X=2', 'environmentVariables'],
      ['tags', 'novalue', 'tags'],
      ['modelOutputName', 'my-model', 'modelOutputName'],
      ['jobInputs', 'model=1', 'jobInputs', /name of the model output/],
    ];
    for (const [name, value, input, pattern] of bad) {
      it(`${name}=${JSON.stringify(value)} fails naming '${input}'`, () => {
        inputs[name] = value;
        throwsInput(() => readInputs(), input, pattern);
      });
    }
  });
});

describe('TrainModel code snapshot', () => {
  it('honours .amlignore over .gitignore, nested ignore files, and never takes .git', () => {
    const dir = tree({
      'train.py': 'a', '.amlignore': 'data/\n', '.gitignore': 'train.py\n', 'data/x.csv': '1', '.git/HEAD': 'ref',
      'pkg/mod.py': 'b', 'pkg/.gitignore': '*.log\n', 'pkg/run.log': 'l', 'pkg/sub/deep.py': 'c',
    });
    const { files, ignoredCount } = listSnapshotFiles(dir);
    assert.deepStrictEqual(files.map((f) => f.relativePath), ['.amlignore', '.gitignore', 'pkg/.gitignore', 'pkg/mod.py', 'pkg/sub/deep.py', 'train.py']);
    assert.strictEqual(ignoredCount, 3);
  });
  it('uses .gitignore when there is no .amlignore', () => {
    const dir = tree({ 'train.py': 'a', '.gitignore': '*.pyc\nout/\n', 'x.pyc': 'b', 'out/m.bin': 'c' });
    assert.deepStrictEqual(listSnapshotFiles(dir).files.map((f) => f.relativePath), ['.gitignore', 'train.py']);
  });
  it('the hash depends on paths and bytes only', () => {
    const a = snapshotCode(tree({ 'a.py': '1', 'b/c.py': '2' }));
    const b = snapshotCode(tree({ 'b/c.py': '2', 'a.py': '1' }));
    assert.strictEqual(a.hash, b.hash);
    assert.strictEqual(a.totalBytes, 2);
    assert.notStrictEqual(snapshotCode(tree({ 'a.py': '1', 'b/c.py': '3' })).hash, a.hash);
    assert.notStrictEqual(snapshotCode(tree({ 'a2.py': '1', 'b/c.py': '2' })).hash, a.hash);
  });
});

describe('TrainModel job', () => {
  it('attempt names', () => {
    assert.strictEqual(attemptJobName('train-1-abc', 1), 'train-1-abc');
    assert.strictEqual(attemptJobName('train-1-abc', 3), 'train-1-abc-a3');
  });
  it('plans: submit, re-attach running/completed, resubmit after a failed attempt', () => {
    const base = 'train-9-x';
    const plan = (attempt: number, existing: [string, string][], explicit = false): unknown => planJob({ base, attempt, explicit, existing: new Map(existing.map(([n, status]) => [n, { status }])) });
    assert.deepStrictEqual(plan(1, []), { action: 'submit', name: base });
    assert.deepStrictEqual(plan(2, []), { action: 'submit', name: `${base}-a2` });
    assert.deepStrictEqual(plan(2, [[base, 'Running']]), { action: 'attach', name: base, status: 'Running' });
    assert.deepStrictEqual(plan(2, [[base, 'Completed']]), { action: 'attach', name: base, status: 'Completed' });
    assert.deepStrictEqual(plan(2, [[base, 'Failed']]), { action: 'submit', name: `${base}-a2`, previous: { name: base, status: 'Failed' } });
    assert.deepStrictEqual(plan(3, [[base, 'Failed'], [`${base}-a2`, 'Running']]), { action: 'attach', name: `${base}-a2`, status: 'Running' });
    assert.deepStrictEqual(plan(2, [[base, 'Completed'], [`${base}-a2`, 'Failed']]), { action: 'attach', name: `${base}-a2`, status: 'Failed' });
    assert.deepStrictEqual(plan(1, [[base, 'Failed']], true), { action: 'attach', name: base, status: 'Failed' });
    assert.deepStrictEqual(plan(4, [], true), { action: 'submit', name: base });
  });
  it("plans around jobs it must not re-attach (another creator, other code): the next free name, and why", () => {
    const base = 'train-9-x';
    const foreign = { status: 'Running', notReusable: 'it was created by another identity' };
    const plan = (attempt: number, existing: [string, { status: string; notReusable?: string }][], explicit = false): unknown => planJob({ base, attempt, explicit, existing: new Map(existing) });
    // attempt 1: its own name is someone else's job → <base>-r2, saying why
    assert.deepStrictEqual(plan(1, [[base, foreign]]), { action: 'submit', name: `${base}-r2`, notReused: { name: base, why: foreign.notReusable } });
    // a retry finds its own job in the -r2 slot and re-attaches to it
    assert.deepStrictEqual(plan(1, [[base, foreign], [`${base}-r2`, { status: 'Running' }]]), { action: 'attach', name: `${base}-r2`, status: 'Running' });
    // attempt 2: attempt 1's name is foreign, attempt 2's is free
    assert.deepStrictEqual(plan(2, [[base, foreign]]), { action: 'submit', name: `${base}-a2`, notReused: { name: base, why: foreign.notReusable } });
    // attempt 2's own name is foreign, attempt 1's job is ours and running: re-attach to it
    assert.deepStrictEqual(plan(2, [[base, { status: 'Running' }], [`${base}-a2`, foreign]]), { action: 'attach', name: base, status: 'Running' });
    // ours failed in attempt 1, attempt 2's name is foreign: the next free slot of attempt 2
    assert.deepStrictEqual(plan(2, [[base, { status: 'Failed' }], [`${base}-a2`, foreign]]), { action: 'submit', name: `${base}-a2-r2`, previous: { name: base, status: 'Failed' }, notReused: { name: `${base}-a2`, why: foreign.notReusable } });
    // every slot taken: a clear failure, nothing submitted
    const all = Array.from({ length: MAX_NAME_SLOTS }, (_, i) => [slotJobName(base, i + 1), foreign] as [string, typeof foreign]);
    assert.throws(() => plan(1, all), /Jobs of others hold every name this attempt may use/);
    // an explicit name held by another job fails naming the input
    assert.throws(() => plan(1, [[base, foreign]], true), /^InputError: Input 'jobName': a job named 'train-9-x' exists in the workspace, but it was created by another identity: the task does not re-attach to it/);
  });
  it('a job is re-attached only when this identity created it and it runs the same code and environment', () => {
    const me = { appId: 'AAAA-1', objectId: 'oid-1' };
    const ids = { codeId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/codes/h/versions/1', environmentId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/environments/e/versions/2' };
    const job = (systemData: Record<string, string> | undefined, props: Record<string, string> = ids) => ({ properties: { jobType: 'Command', ...props }, ...(systemData ? { systemData } : {}) }) as never;
    assert.strictEqual(jobNotReusable(job({ createdBy: 'aaaa-1', createdByType: 'Application' }, { codeId: ids.codeId.toUpperCase(), environmentId: `azureml:${ids.environmentId}` }), me, ids), undefined);
    assert.strictEqual(jobNotReusable(job({ createdBy: 'oid-1', createdByType: 'ManagedIdentity' }), me, ids), undefined);
    assert.match(String(jobNotReusable(job({ createdBy: 'bbbb-2', createdByType: 'Application' }), me, ids)), /created by another identity \(Application 'bbbb-2'\)/);
    assert.match(String(jobNotReusable(job({ createdBy: 'aaaa-1', createdByType: 'User' }), me, ids)), /created by a user/);
    assert.match(String(jobNotReusable(job(undefined), me, ids)), /no creator/);
    assert.match(String(jobNotReusable(job({ createdBy: 'aaaa-1', createdByType: 'Application' }, { ...ids, codeId: 'other' }), me, ids)), /runs other code \(other\)/);
    assert.match(String(jobNotReusable(job({ createdBy: 'aaaa-1', createdByType: 'Application' }, { ...ids, environmentId: 'e:9' }), me, ids)), /another environment \(e:9\)/);
    // a job file: only the creator is checked
    assert.strictEqual(jobNotReusable(job({ createdBy: 'aaaa-1', createdByType: 'Application' }, {}), me), undefined);
    // the creator's name is untrusted text
    assert.doesNotMatch(String(jobNotReusable(job({ createdBy: 'x##vso[task.setvariable variable=a]b', createdByType: 'User' }), me, ids)), /##vso\[/);
  });
  it('distribution bodies', () => {
    assert.strictEqual(distributionConfig('none', 1, 2), undefined);
    assert.deepStrictEqual(distributionConfig('pytorch', 4, 2), { distributionType: 'PyTorch', processCountPerInstance: 4 });
    assert.deepStrictEqual(distributionConfig('mpi', 2, 3), { distributionType: 'Mpi', processCountPerInstance: 2 });
    assert.deepStrictEqual(distributionConfig('tensorflow', 2, 3), { distributionType: 'TensorFlow', workerCount: 6, parameterServerCount: 0 });
  });
  it('command job body', () => {
    const body = commandJobBody({
      experimentName: 'e', command: 'python t.py', codeId: 'c', environmentId: 'env', computeId: 'comp', modelOutputName: 'model',
      inputs: parseJobInputs('a=1\nb=azureml:d:1'), environmentVariables: new Map([['X', '1']]), instanceCount: 2, distribution: 'pytorch',
      processCountPerInstance: 2, timeoutMinutes: 30, tags: { t: 'v' },
    });
    assert.deepStrictEqual(JSON.parse(JSON.stringify(body)), {
      properties: {
        jobType: 'Command', experimentName: 'e', command: 'python t.py', codeId: 'c', environmentId: 'env', computeId: 'comp',
        inputs: { a: { jobInputType: 'literal', value: '1' }, b: { jobInputType: 'uri_folder', uri: 'azureml:d:1' } },
        outputs: { model: { jobOutputType: 'uri_folder', mode: 'ReadWriteMount' } },
        environmentVariables: { X: '1' }, resources: { instanceCount: 2 }, distribution: { distributionType: 'PyTorch', processCountPerInstance: 2 },
        limits: { jobLimitsType: 'Command', timeout: 'PT30M' }, tags: { t: 'v' },
      },
    });
  });
  it('transient errors: throttling, 5xx and network, not 4xx', () => {
    assert.strictEqual(isTransient({ statusCode: 429 }), true);
    assert.strictEqual(isTransient({ statusCode: 503 }), true);
    assert.strictEqual(isTransient(new Error('socket hang up')), true);
    assert.strictEqual(isTransient({ statusCode: 404 }), false);
    assert.strictEqual(isTransient({ statusCode: 403 }), false);
  });
});

describe('TrainModel data plane and report', () => {
  it('run details error and log choice', () => {
    assert.strictEqual(errorFromDetails({ error: { error: { code: 'UserError', message: 'exit 1', details: [{ message: 'OOM' }] } } }), 'UserError: exit 1 OOM');
    assert.strictEqual(errorFromDetails({ status: 'Failed' }), undefined);
    assert.strictEqual(errorFromDetails({ error: { error: { message: 'see https://acct.blob.core.windows.net/x?sig=SECRET' } } }), 'see https://acct.blob.core.windows.net/x');
    assert.strictEqual(pickLog({ 'system_logs/x.txt': 'a', 'user_logs/std_log.txt': 'b' }), 'user_logs/std_log.txt');
    assert.strictEqual(pickLog({ 'azureml-logs/70_driver_log.txt': 'a' }), 'azureml-logs/70_driver_log.txt');
    assert.strictEqual(pickLog({}), undefined);
  });
  it('metric values and summary', () => {
    assert.strictEqual(formatMetricValue(3), '3');
    assert.strictEqual(formatMetricValue(0.123456789), '0.123457');
    assert.strictEqual(formatMetricValue(0.00001234), '1.2340e-5');
    const md = summaryMarkdown({
      jobName: 'j', status: 'Completed', studioUrl: 'https://ml.azure.com/runs/j', experimentName: 'e', compute: 'c', environment: 'azureml:x:1',
      code: { name: 'a'.repeat(64), version: '1', reused: true, files: 3, bytes: '1 KiB' }, reattached: false, metrics: { rmse: 4.2 }, modelOutputUri: 'azureml://jobs/j/outputs/model',
    }).toString();
    assert.match(md, /\[j\]\(https:\/\/ml\.azure\.com\/runs\/j\)/);
    assert.match(md, /\| rmse \| 4\.2 \|/);
    assert.match(md, /reused, nothing uploaded/);
  });
});
