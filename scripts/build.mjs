// Build every task: validate task.json, generate loc files, bundle with esbuild into dist/tasks/<Task>/bundle.js
// with scripts/task-loader.js as its index.js (the loader runs the bundle with a V8 code cache).
// Fails (exit 1) on an invalid task.json, a duplicated or placeholder GUID or name, or a bundle error. The tasks are
// the folders tasks/<Task> with a task.json (scripts/tasks.mjs): a new task needs no edit here.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync, cpSync, rmSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import Ajv from 'ajv';
import { taskFolders, locFiles } from './tasks.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outRoot = join(root, 'dist', 'tasks');
const schema = JSON.parse(readFileSync(join(root, 'schemas', 'tasks.schema.json'), 'utf8'));
// The official schema is draft-04 style (`id`, `$schema`); Ajv 8 validates its body once those ids are moved.
delete schema.$schema;
if (schema.id) { schema.$id = schema.id; delete schema.id; }
// unicodeRegExp off: the schema's patterns use escapes (\:) that only non-unicode RegExps accept.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
const validate = ajv.compile(schema);

const errors = [];
// task.json's author is the marketplace publisher (package.mjs rewrites both when --publisher overrides it).
const publisher = JSON.parse(readFileSync(join(root, 'vss-extension.json'), 'utf8')).publisher;
const ids = new Map();
const names = new Map();
const tasks = taskFolders(root);
if (tasks.length === 0) console.log('No task folders with a task.json yet.');

for (const task of tasks) {
  const dir = join(root, 'tasks', task);
  const taskJson = JSON.parse(readFileSync(join(dir, 'task.json'), 'utf8'));
  if (!validate(taskJson)) {
    for (const e of validate.errors ?? []) errors.push(`${task}/task.json ${e.instancePath || '/'} ${e.message}`);
  }
  // a copy of tasks/_template keeps its all-zero id until given its own; the GUIDs live in task.json only (docs/TASKS.md)
  if (/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(taskJson.id ?? '')) errors.push(`${task}/task.json keeps the template's id ${taskJson.id}: give it its own (node -e "console.log(crypto.randomUUID())")`);
  for (const [seen, key] of [[ids, taskJson.id], [names, taskJson.name]]) {
    if (seen.has(key)) errors.push(`${task}/task.json reuses '${key}' of ${seen.get(key)}`);
    seen.set(key, task);
  }
  // tfx refuses friendly names over 40 characters; say so here, with the name, instead of at package time
  if ((taskJson.friendlyName ?? '').length > 40) errors.push(`${task}/task.json friendlyName '${taskJson.friendlyName}' is longer than 40 characters`);
  if (taskJson.name !== task) errors.push(`${task}/task.json name '${taskJson.name}' differs from its folder`);
  if (taskJson.author !== publisher) errors.push(`${task}/task.json author '${taskJson.author}' is not the publisher '${publisher}' of vss-extension.json`);
  if (!taskJson.releaseNotes) errors.push(`${task}/task.json has no releaseNotes (what changed, pointing to CHANGELOG.md)`);
  for (const handler of ['Node20_1', 'Node24']) {
    if (taskJson.execution?.[handler]?.target !== 'index.js') errors.push(`${task}/task.json needs execution.${handler}.target = index.js`);
  }
  for (const input of taskJson.inputs ?? []) {
    if (!input.helpMarkDown) errors.push(`${task}/task.json input '${input.name}' has no helpMarkDown`);
  }
  if (!existsSync(join(dir, 'icon.png'))) errors.push(`${task}/icon.png is missing`);
  // Loc files are generated, committed, and must match task.json (checked by the tests).
  const { locJson, resjson } = locFiles(taskJson);
  writeFileSync(join(dir, 'task.loc.json'), JSON.stringify(locJson, null, 2) + '\n');
  mkdirSync(join(dir, 'Strings', 'resources.resjson', 'en-US'), { recursive: true });
  writeFileSync(join(dir, 'Strings', 'resources.resjson', 'en-US', 'resources.resjson'), JSON.stringify(resjson, null, 2) + '\n');
}
if (errors.length) {
  console.error(errors.map((e) => `error: ${e}`).join('\n'));
  process.exit(1);
}

const minify = process.env.BUILD_NO_MINIFY !== '1';
const loader = readFileSync(join(root, 'scripts', 'task-loader.js'), 'utf8');
await Promise.all(tasks.map(async (task) => {
  const dir = join(root, 'tasks', task);
  const out = join(outRoot, task);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(dir, 'src', 'index.ts')],
    outfile: join(out, 'bundle.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify,
    sourcemap: false,
    legalComments: 'none',
    // Some Azure packages resolve to their ESM build, which calls createRequire(import.meta.url);
    // import.meta is empty in a CommonJS bundle, so give it the bundle's own file URL.
    define: { 'import.meta.url': '__bundleFileUrl' },
    banner: { js: 'const __bundleFileUrl = require("url").pathToFileURL(__filename).href;' },
    logLevel: 'warning',
    // task-lib reads its own lib.json and the task's task.json next to __dirname at run time.
    loader: { '.node': 'copy' },
  });
  for (const f of ['task.json', 'task.loc.json', 'icon.png', 'icon.svg', 'Strings', 'assets']) {
    if (existsSync(join(dir, f))) cpSync(join(dir, f), join(out, f), { recursive: true });
  }
  // task-lib's messages (loc strings for its own errors) are read from lib.json beside the bundle.
  cpSync(join(root, 'node_modules', 'azure-pipelines-task-lib', 'lib.json'), join(out, 'lib.json'));
  const toolLib = join(root, 'node_modules', 'azure-pipelines-tool-lib', 'lib.json');
  if (existsSync(toolLib)) cpSync(toolLib, join(out, 'tool-lib.json'));
  // the bundle's hash names its code cache: a rebuilt bundle never meets the bytecode of another
  const bundleId = createHash('sha256').update(readFileSync(join(out, 'bundle.js'))).digest('hex').slice(0, 16);
  writeFileSync(join(out, 'index.js'), loader.replace("'__BUNDLE_ID__'", `'${bundleId}'`));
  console.log(`bundled ${task}: ${(statSync(join(out, 'bundle.js')).size / 1024).toFixed(0)} KiB`);
}));
