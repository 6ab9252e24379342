// Package the built tasks into dist/<publisher>.<id>-<version>.vsix with tfx.
// Publisher and version can be overridden for a user's own marketplace publisher:
//   npm run package -- --publisher myname --version 1.2.3   (or EXT_PUBLISHER / EXT_VERSION)
import { readFileSync, writeFileSync, mkdirSync, cpSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { taskFolders } from './tasks.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({ options: { publisher: { type: 'string' }, version: { type: 'string' } } });
const publisher = args.publisher ?? process.env.EXT_PUBLISHER;
const version = args.version ?? process.env.EXT_VERSION;
if (version && !/^\d+\.\d+\.\d+$/.test(version)) fail(`--version '${version}' is not major.minor.patch`);
if (publisher && !/^[A-Za-z0-9][A-Za-z0-9-]{0,126}$/.test(publisher)) fail(`--publisher '${publisher}' is not a valid publisher id`);

const stage = join(root, 'dist', 'stage');
rmSync(stage, { recursive: true, force: true });
mkdirSync(join(stage, 'tasks'), { recursive: true });
const manifest = JSON.parse(readFileSync(join(root, 'vss-extension.json'), 'utf8'));
if (publisher) manifest.publisher = publisher;
if (version) manifest.version = version;
const tasks = taskFolders(root);
for (const task of tasks) {
  const built = join(root, 'dist', 'tasks', task);
  if (!existsSync(join(built, 'index.js'))) fail(`${task} is not built: run npm run build`);
  cpSync(built, join(stage, 'tasks', task), { recursive: true });
  manifest.files.push({ path: `tasks/${task}` });
  manifest.contributions.push({
    id: `${task}-task`,
    type: 'ms.vss-distributed-task.task',
    targets: ['ms.vss-distributed-task.tasks'],
    properties: { name: `tasks/${task}` },
  });
}
cpSync(join(root, 'images'), join(stage, 'images'), { recursive: true });
cpSync(join(root, 'overview.md'), join(stage, 'overview.md'));
writeFileSync(join(stage, 'vss-extension.json'), JSON.stringify(manifest, null, 2));

const tfx = join(root, 'node_modules', 'tfx-cli', '_build', 'tfx-cli.js');
const outDir = join(root, 'dist');
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
if (listing.status !== 0) fail(`cannot list dist/${vsix}: ${listing.stderr}`);
const entries = new Set(JSON.parse(listing.stdout));
const missing = tasks.flatMap((t) => ['index.js', 'task.json', 'task.loc.json', 'icon.png', 'lib.json', 'Strings/resources.resjson/en-US/resources.resjson']
  .map((f) => `tasks/${t}/${f}`).filter((f) => !entries.has(f)));
if (missing.length) fail(`dist/${vsix} lacks ${missing.join(', ')}`);
if ([...entries].some((e) => e.includes('node_modules/'))) fail(`dist/${vsix} contains node_modules`);
if (!entries.has('images/extension-icon.png') || !entries.has('overview.md')) fail(`dist/${vsix} lacks the icon or overview.md`);
console.log(`packaged ${tasks.length} task(s): dist/${vsix} (${entries.size} entries checked)`);

function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}
