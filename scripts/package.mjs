// Package the built tasks into dist/<publisher>.<id>-<version>.vsix with tfx.
// Publisher and version can be overridden for a user's own marketplace publisher:
//   npm run package -- --publisher myname --version 1.2.3   (or EXT_PUBLISHER / EXT_VERSION)
// The release version reaches the agents: every task gets minor.patch of it (its major stays), because an
// agent caches a task by its version and never downloads a republished task whose version did not move.
// Support and repository links are the publisher's to give (--support-url / --repository-url, or
// EXT_SUPPORT_URL / EXT_REPOSITORY_URL): without them the package has none rather than a made-up address.
// --out-dir puts the .vsix (and its staging folder) elsewhere than dist/ (the package test uses it).
import { readFileSync, writeFileSync, mkdirSync, cpSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { basename, join, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { taskFolders } from './tasks.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    publisher: { type: 'string' }, version: { type: 'string' },
    'support-url': { type: 'string' }, 'repository-url': { type: 'string' }, 'out-dir': { type: 'string' },
  },
});
const publisher = args.publisher ?? process.env.EXT_PUBLISHER;
const version = args.version ?? process.env.EXT_VERSION;
const supportUrl = args['support-url'] ?? process.env.EXT_SUPPORT_URL;
const repositoryUrl = args['repository-url'] ?? process.env.EXT_REPOSITORY_URL;
if (version && !/^\d+\.\d+\.\d+$/.test(version)) fail(`--version '${version}' is not major.minor.patch`);
if (publisher && !/^[A-Za-z0-9][A-Za-z0-9-]{0,126}$/.test(publisher)) fail(`--publisher '${publisher}' is not a valid publisher id`);
for (const [name, url] of [['--support-url', supportUrl], ['--repository-url', repositoryUrl]]) {
  if (url !== undefined && !/^https:\/\/[^\s/]+\.[^\s/]+(\/\S*)?$/.test(url)) fail(`${name} '${url}' is not an https:// URL`);
}

const outDir = resolve(args['out-dir'] ?? join(root, 'dist'));
const stage = join(outDir, 'stage');
rmSync(stage, { recursive: true, force: true });
mkdirSync(join(stage, 'tasks'), { recursive: true });
const manifest = JSON.parse(readFileSync(join(root, 'vss-extension.json'), 'utf8'));
if (publisher) manifest.publisher = publisher;
if (version) manifest.version = version;
if (supportUrl) manifest.links = { ...manifest.links, support: { uri: supportUrl } };
if (repositoryUrl) manifest.repository = { type: 'git', uri: repositoryUrl };
const [, releaseMinor, releasePatch] = manifest.version.split('.').map(Number);
const tasks = taskFolders(root);
const taskVersions = [];
for (const task of tasks) {
  const built = join(root, 'dist', 'tasks', task);
  if (!existsSync(join(built, 'index.js'))) fail(`${task} is not built: run npm run build`);
  // a code cache that local runs of the bundle left beside it (scripts/task-loader.js) is this machine's only
  cpSync(built, join(stage, 'tasks', task), { recursive: true, filter: (src) => !basename(src).startsWith('.v8cache-') });
  // the agent reads task.json; task.loc.json is its localised twin: both carry the release's version and author
  for (const file of ['task.json', 'task.loc.json']) {
    const path = join(stage, 'tasks', task, file);
    const taskJson = JSON.parse(readFileSync(path, 'utf8'));
    taskJson.version = { Major: taskJson.version.Major, Minor: releaseMinor, Patch: releasePatch };
    taskJson.author = manifest.publisher;
    writeFileSync(path, JSON.stringify(taskJson, null, 2) + '\n');
    if (file === 'task.json') taskVersions.push(`${task} ${taskJson.version.Major}.${releaseMinor}.${releasePatch}`);
  }
  manifest.files.push({ path: `tasks/${task}` });
  manifest.contributions.push({
    id: `${task}-task`,
    type: 'ms.vss-distributed-task.task',
    targets: ['ms.vss-distributed-task.tasks'],
    properties: { name: `tasks/${task}` },
  });
}
cpSync(join(root, 'images'), join(stage, 'images'), { recursive: true });
for (const f of ['overview.md', 'LICENSE', 'PRIVACY.md', 'CHANGELOG.md']) cpSync(join(root, f), join(stage, f));
// a release without its CHANGELOG entry still packages (a private build), but says so
if (!new RegExp(`^## ${manifest.version.replace(/\./g, '\\.')}\\b`, 'm').test(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'))) {
  console.log(`warning: CHANGELOG.md has no '## ${manifest.version}' section`);
}
writeFileSync(join(stage, 'vss-extension.json'), JSON.stringify(manifest, null, 2));

const tfx = join(root, 'node_modules', 'tfx-cli', '_build', 'tfx-cli.js');
for (const f of readdirSync(outDir)) if (f.endsWith('.vsix')) rmSync(join(outDir, f));
const r = spawnSync(process.execPath, [tfx, 'extension', 'create', '--root', stage, '--manifest-globs', 'vss-extension.json',
  '--output-path', outDir, '--no-prompt', '--no-color'], { encoding: 'utf8', env: { ...process.env, TFX_TRACE: '' } });
const output = `${r.stdout}\n${r.stderr}`;
// tfx only warns on a bad task.json and still exits 0; treat that as the failure it is.
if (r.status !== 0 || /Invalid task json/i.test(output)) fail(`tfx failed:\n${output}`);
const vsix = readdirSync(outDir).find((f) => f.endsWith('.vsix'));
if (!vsix) fail(`tfx made no .vsix:\n${output}`);
// What the agent will unpack: every task folder has its bundle, task.json, loc strings, icon, and no node_modules.
const listing = spawnSync('python3', ['-c', 'import json,sys,zipfile; print(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))', join(outDir, vsix)], { encoding: 'utf8' });
if (listing.status !== 0) fail(`cannot list ${vsix}: ${listing.stderr}`);
const entries = new Set(JSON.parse(listing.stdout));
const missing = tasks.flatMap((t) => ['index.js', 'task.json', 'task.loc.json', 'icon.png', 'lib.json', 'Strings/resources.resjson/en-US/resources.resjson']
  .map((f) => `tasks/${t}/${f}`).filter((f) => !entries.has(f)));
// and the files each bundle requires on first use (scripts/build.mjs names them in the loader, index.js)
for (const t of tasks) {
  const ids = /const FILE_IDS = (\{.*?\});/.exec(readFileSync(join(root, 'dist', 'tasks', t, 'index.js'), 'utf8'));
  if (!ids) fail(`dist/tasks/${t}/index.js names no files: run npm run build`);
  for (const f of Object.keys(JSON.parse(ids[1]))) if (!entries.has(`tasks/${t}/${f}`)) missing.push(`tasks/${t}/${f}`);
}
if (missing.length) fail(`${vsix} lacks ${missing.join(', ')}`);
if ([...entries].some((e) => e.includes('node_modules/'))) fail(`${vsix} contains node_modules`);
const extras = ['images/extension-icon.png', 'overview.md', 'LICENSE', 'PRIVACY.md', 'CHANGELOG.md'].filter((f) => !entries.has(f));
if (extras.length) fail(`${vsix} lacks ${extras.join(', ')}`);
const shown = join(outDir, vsix).startsWith(root) ? relative(root, join(outDir, vsix)) : join(outDir, vsix);
console.log(`packaged ${tasks.length} task(s): ${shown} (${entries.size} entries checked; ${taskVersions.join(', ')})`);

function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}
