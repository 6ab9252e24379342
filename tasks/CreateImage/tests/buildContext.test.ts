import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import * as tar from 'tar-stream';
import { assembleContext, checkDockerfileSources, generateDockerfile, missingCopySources, packContext, parseCopyInstructions } from '../src/buildContext';
import { findAsset } from '../src/assets';

async function tarEntries(gz: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const ex = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        out.set(h.name, Buffer.concat(chunks));
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(zlib.gunzipSync(gz));
  await done;
  return out;
}

describe('CreateImage build context', () => {
  let root: string;
  const file = (rel: string, text: string): string => {
    const p = path.join(root, ...rel.split('/'));
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ctx-test-'));
    file('src/score.py', 'def init():\n  pass\ndef run(d):\n  return d\n');
    file('src/helpers/util.py', 'X = 1\n');
    file('src/.amlignore', 'secret-notes.txt\n');
    file('src/secret-notes.txt', 'do not ship\n');
    file('src/__pycache__/x.pyc', 'bytecode');
    file('model/model/weights.json', '{"w": 2}');
    file('model/model/sub/vocab.txt', 'a\nb\n');
    file('env/requirements.txt', 'numpy==1.26.4\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const sources = () => ({
    scoringScript: path.join(root, 'src/score.py'), serverPy: findAsset('server.py') as string, modelDir: path.join(root, 'model'),
    environment: { kind: 'pip' as const, file: path.join(root, 'env/requirements.txt') }, sourceDirectory: path.join(root, 'src'),
    baseImage: 'mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference:latest', modelId: 'azureml:churn:3',
  });

  it('lays out Dockerfile, scoring/, model/ and environment/ and honours .amlignore', () => {
    const ctx = assembleContext(sources(), path.join(root, 'out'));
    assert.deepStrictEqual(ctx.files, [
      'Dockerfile', 'environment/requirements.txt', 'model/model/sub/vocab.txt', 'model/model/weights.json',
      'scoring/.amlignore', 'scoring/helpers/util.py', 'scoring/score.py', 'scoring/server.py',
    ]);
    assert.ok(ctx.generatedDockerfile);
  });

  it('generates a Dockerfile whose every COPY source is in the archive', async () => {
    const ctx = assembleContext(sources(), path.join(root, 'out'));
    const entries = await tarEntries(await packContext(ctx));
    assert.deepStrictEqual([...entries.keys()].sort(), ctx.files);
    const dockerfile = entries.get('Dockerfile')!.toString('utf8');
    assert.match(dockerfile, /^ENV AZUREML_MODEL_DIR=\/var\/azureml-app\/model$/m);
    assert.match(dockerfile, /^CMD \["python", "\/var\/azureml-app\/scoring\/server\.py"\]$/m);
    assert.match(dockerfile, /^FROM mcr\.microsoft\.com\/azureml\/minimal-ubuntu22\.04-py39-cpu-inference:latest$/m);
    const copies = parseCopyInstructions(dockerfile);
    assert.ok(copies.length >= 3);
    for (const c of copies) {
      for (const s of c.sources) {
        const norm = s.replace(/\/$/, '');
        assert.ok([...entries.keys()].some((k) => k === norm || k.startsWith(norm + '/')), `COPY source ${s} missing from the archive`);
      }
    }
    assert.deepStrictEqual(missingCopySources(dockerfile, [...entries.keys()]), []);
    assert.strictEqual(entries.get('scoring/server.py')!.toString(), fs.readFileSync(findAsset('server.py') as string, 'utf8'));
  });

  it('writes the conda variant and no environment at all', () => {
    assert.match(generateDockerfile({ baseImage: 'b', environment: 'conda', modelId: 'azureml:m:1' }), /COPY environment\/conda\.yml .*\nRUN conda env create -p \/opt\/miniconda\/envs\/userenv -f/);
    const none = generateDockerfile({ baseImage: 'b', modelId: 'azureml:m:1' });
    assert.doesNotMatch(none, /environment\//);
  });

  it('hashes content: same inputs, same hash; a changed model file changes it', () => {
    const a = assembleContext(sources(), path.join(root, 'a'));
    const b = assembleContext(sources(), path.join(root, 'b'));
    assert.strictEqual(a.hash, b.hash);
    file('model/model/weights.json', '{"w": 3}');
    const c = assembleContext(sources(), path.join(root, 'c'));
    assert.notStrictEqual(a.hash, c.hash);
  });

  it('parses COPY/ADD with flags, JSON form, continuations and --from stages', () => {
    const df = 'FROM x AS b\n# c\nCOPY --chown=1:1 a.txt \\\n  b/ /dst/\nADD ["sp ace.txt", "/d"]\nCOPY --from=b /out /app\n';
    const c = parseCopyInstructions(df);
    assert.deepStrictEqual(c.map((x) => [x.line, x.sources, x.destination, x.fromStage]), [
      [3, ['a.txt', 'b/'], '/dst/', undefined], [5, ['sp ace.txt'], '/d', undefined], [6, ['/out'], '/app', 'b'],
    ]);
    assert.deepStrictEqual(missingCopySources(df, ['a.txt', 'b/x']), [{ line: 5, source: 'sp ace.txt' }]);
    assert.deepStrictEqual(missingCopySources('COPY scoring/*.py /x/\n', ['scoring/a.py']), []);
    assert.deepStrictEqual(missingCopySources('COPY . /x/\n', []), []);
  });

  it("fails before upload when the user's Dockerfile copies something the context lacks", () => {
    const df = file('Dockerfile.custom', 'FROM python:3.11-slim\nCOPY scoring/ /app/\nCOPY extra/config.yml /cfg/\n');
    const ctx = assembleContext({ ...sources(), dockerfile: df }, path.join(root, 'out'));
    assert.throws(() => checkDockerfileSources(ctx, 'dockerfile'), /Input 'dockerfile': the Dockerfile copies files the build context does not hold \(line 3: 'extra\/config\.yml'\)/);
  });
});
