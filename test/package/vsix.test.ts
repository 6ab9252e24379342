// The .vsix as an org admin and an agent receive it (issue 12): scripts/package.mjs run the way the README
// says, the package unpacked (python3's zipfile: a .vsix is a zip), and what is inside checked: the release
// version in the manifest and in every task (major kept, minor.patch from the release, so agents download
// it), the author equal to the publisher, the licence, privacy statement and changelog, the Preview flag, and
// links only when the publisher gave them.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, TASKS } from '../reliability/helpers';

interface Packaged { status: number | null; output: string; files: Record<string, string> }

function packageWith(args: string[]): Packaged {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vsix-test-'));
  try {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'package.mjs'), ...args, '--out-dir', out], { cwd: ROOT, encoding: 'utf8' });
    const output = `${r.stdout}${r.stderr}`;
    const vsix = fs.readdirSync(out).find((f) => f.endsWith('.vsix'));
    if (r.status !== 0 || !vsix) return { status: r.status, output, files: {} };
    const unzip = spawnSync('python3', ['-c', [
      'import json, sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1])',
      'keep = lambda n: not n.endswith("/")',
      // scripts (the loader, the bundle) and images by name only
      'print(json.dumps({n: "" if n.endswith((".js", ".png")) else z.read(n).decode("utf-8", "replace") for n in z.namelist() if keep(n)}))',
    ].join('\n'), path.join(out, vsix)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(unzip.status, 0, unzip.stderr);
    return { status: r.status, output, files: JSON.parse(unzip.stdout) as Record<string, string> };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

const sourceTask = (task: string): { version: { Major: number } } => JSON.parse(fs.readFileSync(path.join(ROOT, 'tasks', task, 'task.json'), 'utf8')) as { version: { Major: number } };

describe('the packaged .vsix', function () {
  this.timeout(120_000);
  let release: Packaged;
  // a V8 code cache a local run of the bundle left in dist/ (scripts/task-loader.js) belongs to this machine
  const localCache = path.join(ROOT, 'dist', 'tasks', 'ProbeEndpoint', `.v8cache-vsix-test-${process.pid}`);
  before(() => {
    fs.writeFileSync(localCache, 'bytecode of this machine');
    try {
      release = packageWith(['--version', '3.7.11', '--publisher', 'contoso-ml']);
    } finally {
      fs.rmSync(localCache, { force: true });
    }
    assert.equal(release.status, 0, release.output);
  });

  it('ships each task as its loader (index.js), bundle and the chunks it loads on first use, without a code cache made on this machine', () => {
    for (const task of TASKS) {
      assert.ok(`tasks/${task}/index.js` in release.files && `tasks/${task}/bundle.js` in release.files, task);
      // the files the loader knows (scripts/build.mjs writes their names and hashes into index.js)
      const loader = fs.readFileSync(path.join(ROOT, 'dist', 'tasks', task, 'index.js'), 'utf8');
      const files = Object.keys(JSON.parse(/const FILE_IDS = (\{.*?\});/.exec(loader)?.[1] ?? '{}') as Record<string, string>);
      assert.ok(files.some((f) => f.startsWith('chunk-')) && files.includes('bundle.js'), `${task}: ${files.join(', ')}`);
      const absent = files.filter((f) => !(`tasks/${task}/${f}` in release.files));
      assert.deepEqual(absent, [], `${task} lacks files its bundle requires`);
    }
    assert.deepEqual(Object.keys(release.files).filter((n) => n.includes('.v8cache-')), []);
  });

  it("answers jsonwebtoken's Node feature checks at build time: MSAL's chunk carries no semver of its own", () => {
    // scripts/build.mjs, jwt-feature-checks: semver would otherwise load and parse ranges before every first token
    for (const task of TASKS) {
      const dir = path.join(ROOT, 'dist', 'tasks', task);
      const jwt = fs.readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => ({ f, text: fs.readFileSync(path.join(dir, f), 'utf8') }))
        .filter(({ text }) => text.includes('JsonWebTokenError'));
      assert.ok(jwt.length > 0, `${task}: jsonwebtoken is bundled somewhere`);
      for (const { f, text } of jwt) assert.doesNotMatch(text, /SEMVER_SPEC_VERSION/, `${task}/${f} carries semver`);
    }
  });

  it('carries the release version and publisher in its manifest', () => {
    const manifest = release.files['extension.vsixmanifest'];
    assert.match(manifest, /<Identity [^>]*Version="3\.7\.11"[^>]*Publisher="contoso-ml"/);
  });

  it('gives every task the release minor.patch under its own major, and the publisher as author', () => {
    for (const task of TASKS) {
      const major = sourceTask(task).version.Major;
      for (const file of ['task.json', 'task.loc.json']) {
        const t = JSON.parse(release.files[`tasks/${task}/${file}`]) as { version: unknown; author: string };
        assert.deepEqual(t.version, { Major: major, Minor: 7, Patch: 11 }, `${task}/${file}`);
        assert.equal(t.author, 'contoso-ml', `${task}/${file}`);
      }
      assert.ok((JSON.parse(release.files[`tasks/${task}/task.json`]) as { releaseNotes?: string }).releaseNotes, `${task} has releaseNotes`);
    }
    assert.match(release.output, /TrainModel 1\.7\.11/);
  });

  it('holds the licence, the privacy statement and the changelog, flagged Preview, with no made-up links', () => {
    const manifest = release.files['extension.vsixmanifest'];
    assert.equal(release.files.LICENSE, fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8'));
    assert.match(manifest, /<License>LICENSE<\/License>/);
    assert.match(manifest, /<GalleryFlags>Preview<\/GalleryFlags>/);
    assert.match(release.files['PRIVACY.md'], /no telemetry/i);
    assert.match(release.files['CHANGELOG.md'], /^## 1\.0\.0$/m);
    const properties = /<Properties>([\s\S]*?)<\/Properties>/.exec(manifest)?.[1] ?? '';
    assert.doesNotMatch(properties, /https?:/, 'no link the publisher did not give');
    // the overview (the marketplace page) links the privacy statement and says why this is a preview
    assert.match(release.files['overview.md'], /\]\(PRIVACY\.md\)/);
    assert.match(release.files['overview.md'], /Preview/);
  });

  it('holds every image the overview shows (the summary-tab screenshots) and the manifest lists', () => {
    const shown = [...release.files['overview.md'].matchAll(/!\[[^\]]*\]\((images\/[^)]+)\)/g)].map((m) => m[1]);
    assert.ok(shown.length >= 6, shown.join(', '));
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'vss-extension.json'), 'utf8')) as { screenshots: { path: string }[] };
    for (const image of [...shown, ...manifest.screenshots.map((s) => s.path)]) assert.ok(image in release.files, `${image} is not in the .vsix`);
  });

  it('adds the support and repository links the publisher gives', () => {
    const linked = packageWith(['--support-url', 'https://contoso.example/ml-support', '--repository-url', 'https://contoso.example/git/ml-tasks']);
    assert.equal(linked.status, 0, linked.output);
    const manifest = linked.files['extension.vsixmanifest'];
    assert.match(manifest, /Services\.Links\.Support" Value="https:\/\/contoso\.example\/ml-support"/);
    assert.match(manifest, /https:\/\/contoso\.example\/git\/ml-tasks/);
    // without --version the manifest's own version applies to the tasks too
    const version = /<Identity [^>]*Version="(\d+)\.(\d+)\.(\d+)"/.exec(manifest)!;
    const t = JSON.parse(linked.files['tasks/TrainModel/task.json']) as { version: unknown; author: string };
    assert.deepEqual(t.version, { Major: sourceTask('TrainModel').version.Major, Minor: Number(version[2]), Patch: Number(version[3]) });
    assert.equal(t.author, JSON.parse(fs.readFileSync(path.join(ROOT, 'vss-extension.json'), 'utf8')).publisher);
  });

  for (const [args, names] of [[['--version', '1.2'], /--version '1\.2' is not major\.minor\.patch/], [['--support-url', 'http://insecure.example'], /--support-url 'http:\/\/insecure\.example' is not an https:\/\/ URL/]] as const) {
    it(`refuses ${args.join(' ')} in one line`, () => {
      const r = packageWith([...args]);
      assert.equal(r.status, 1);
      assert.match(r.output.trim(), names);
      assert.equal(r.output.trim().split('\n').length, 1, r.output);
    });
  }
});
