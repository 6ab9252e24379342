// Build every task: validate task.json, generate loc files, bundle with esbuild into dist/tasks/<Task>/bundle.js
// and the files it loads on first use (sdk-*.js, chunk-*.js: bundleTask below), with scripts/task-loader.js as
// its index.js (the loader runs them with a V8 code cache).
// Fails (exit 1) on an invalid task.json, a duplicated or placeholder GUID or name, or a bundle error. The tasks are
// the folders tasks/<Task> with a task.json (scripts/tasks.mjs): a new task needs no edit here.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync, cpSync, rmSync, statSync } from 'node:fs';
import { basename, join, dirname } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, transform } from 'esbuild';
import Ajv from 'ajv';
import { taskFolders, locFiles } from './tasks.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// --single-file <dir>: the tasks also in the build shape before chunks (one CommonJS bundle.js each, ARM SDKs
// by their `main` field) into <dir>, for the A/B of the lifecycle bench (scripts/bench/lifecycle.ts)
const { values: args } = parseArgs({ options: { 'single-file': { type: 'string' } } });
const outRoot = join(root, 'dist', 'tasks');
const schema = JSON.parse(readFileSync(join(root, 'schemas', 'tasks.schema.json'), 'utf8'));
// The official schema is draft-04 style (`id`, `$schema`); Ajv 8 validates its body once those ids are moved.
delete schema.$schema;
if (schema.id) { schema.$id = schema.id; delete schema.id; }
// unicodeRegExp off: the schema's patterns use escapes (\:) that only non-unicode RegExps accept.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
const validate = ajv.compile(schema);

// the agent's Node handlers every task declares; the oldest one bounds what the bundles may assume (jwtFeatureChecks)
const NODE_HANDLERS = ['Node20_1', 'Node24'];
const OLDEST_NODE_MAJOR = Math.min(...NODE_HANDLERS.map((h) => Number(/^Node(\d+)/.exec(h)[1])));
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
  for (const handler of NODE_HANDLERS) {
    if (taskJson.execution?.[handler]?.target !== 'index.js') errors.push(`${task}/task.json needs execution.${handler}.target = index.js`);
  }
  for (const input of taskJson.inputs ?? []) {
    if (!input.helpMarkDown) errors.push(`${task}/task.json input '${input.name}' has no helpMarkDown`);
  }
  if (!existsSync(join(dir, 'icon.png'))) errors.push(`${task}/icon.png is missing`);
  // the agent refuses a setvariable outside restrictions.settableVariables.allowed: every output must be listed
  const allowed = taskJson.restrictions?.settableVariables?.allowed;
  if (!Array.isArray(allowed)) errors.push(`${task}/task.json has no restrictions.settableVariables.allowed (its outputs, so nothing else can be set)`);
  else for (const o of taskJson.outputVariables ?? []) if (!allowed.includes(o.name)) errors.push(`${task}/task.json output '${o.name}' is not in restrictions.settableVariables.allowed: the agent would refuse to set it`);
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
const sdkDir = join(root, 'tasks', 'shared', 'src', 'sdk');

// A task is bundle.js (what every run evaluates before its first ARM request) plus chunks loaded on first use
// (README.md, 'Cold start'): each SDK facade in tasks/shared/src/sdk (required where a client is built), each
// `await import()` (a credential scheme, TrainModel's job-file code with its YAML parser), and the code those
// share in chunk-<hash>.js files, so nothing is loaded twice. esbuild splits code only in ES module output, so
// the task is split as ES modules and each file is then turned into CommonJS (require of its neighbours),
// which scripts/task-loader.js compiles with a V8 code cache, file by file, only when the run needs it.
// Every request through @azure/core-rest-pipeline asks `typeof FormData` (ts-http-runtime's formData.js and
// client/sendRequest.js). On Node that global is lazy: reading it loads all of Node's bundled undici (20–100 ms,
// measured in the first ARM request's path: README.md, 'Cold start'), though no task ever sends a FormData. Even
// looking at its property descriptor loads undici on Node 24 (a lazy data property; on Node 20 an accessor), so the
// check must not touch the global at all: a FormData object says so by its Symbol.toStringTag (the WebIDL class
// string, undici's FormData.prototype), and only such a body is then tested with `instanceof`. A string, Buffer,
// stream or Blob body never reads FormData.
const formDataCheck = 'typeof FormData !== "undefined" && body instanceof FormData';
const lazyFormData = {
  name: 'lazy-form-data',
  setup(b) {
    b.onLoad({ filter: /[\\/]@typespec[\\/]ts-http-runtime[\\/]dist[\\/]esm[\\/](formData|client[\\/]sendRequest)\.js$/ }, async (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(formDataCheck)) throw new Error(`${args.path} no longer holds \`${formDataCheck}\`: review the lazy-form-data plugin of scripts/build.mjs`);
      const taggedFormData = 'body !== null && typeof body === "object" && body[Symbol.toStringTag] === "FormData"';
      return { contents: text.replace(formDataCheck, `${taggedFormData} && ${formDataCheck}`), loader: 'js' };
    });
  },
};

// jsonwebtoken (MSAL's, in every credential's chunk) asks semver at load whether the running Node has three key
// features (lib/asymmetricKeyDetailsSupported.js, psSupported.js, rsaPssKeyDetailsSupported.js), which loads and
// runs all of semver's range parsing before the first token (~5 ms of a cold start, `node --cpu-prof`). Every Node
// the tasks run on (NODE_HANDLERS) is past each version asked for, so the answer is `true` at
// build time; a file that asks anything else fails the build here, to be looked at.
const jwtFeatureChecks = {
  name: 'jwt-feature-checks',
  setup(b) {
    b.onLoad({ filter: /[\\/]jsonwebtoken[\\/]lib[\\/](asymmetricKeyDetailsSupported|psSupported|rsaPssKeyDetailsSupported)\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const range = /^(?:const|var) semver = require\('semver'\);\s*module\.exports = semver\.satisfies\(process\.version, '([^']+)'\);\s*$/.exec(text)?.[1];
      // true on every supported Node when one alternative of the range is `>=M.m.p` with M at most the oldest major
      const always = range?.split('||').some((alt) => {
        const m = /^\s*>=\s*(\d+)\.\d+\.\d+\s*$/.exec(alt);
        return m !== null && Number(m[1]) <= OLDEST_NODE_MAJOR;
      });
      if (!always) throw new Error(`${args.path} no longer asks only a Node version every supported runtime (>= ${OLDEST_NODE_MAJOR}) has: review the jwt-feature-checks plugin of scripts/build.mjs`);
      return { contents: `module.exports = true; // semver.satisfies(process.version, '${range}') on Node >= ${OLDEST_NODE_MAJOR}\n`, loader: 'js' };
    });
  },
};

async function bundleTask(task, out) {
  const entry = join(root, 'tasks', task, 'src', 'index.ts');
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    // the ES build of every package where it has one: the ARM SDKs of the older layout (main = CommonJS,
    // module = ES) would otherwise bring a second, CommonJS copy of @azure/core-* beside the ES one
    mainFields: ['module', 'main'],
    logLevel: 'warning',
    loader: { '.node': 'copy' },
  };
  // which SDK facades the task requires: each becomes an entry of its own (sdk-<name>.js), required on first use
  const facades = new Set();
  const seen = await build({ ...common, entryPoints: [entry], outdir: join(out, '.scan'), write: false, metafile: true, format: 'esm', splitting: true });
  for (const input of Object.keys(seen.metafile.inputs)) {
    const file = join(root, input);
    if (dirname(file) === sdkDir) facades.add(basename(file, '.ts'));
  }
  const lazySdk = {
    name: 'lazy-sdk',
    setup(b) {
      // require('./sdk/<name>') from tasks/shared/src: the facade's own output file, outside this build's graph
      // import() of a package: in the split bundle a CommonJS package's names are then under `default` only, which
      // TypeScript does not see; import() a module of ours that re-exports them (tasks/CreateImage/src/toolCache.ts)
      b.onResolve({ filter: /^[^./]/ }, (args) => (args.kind === 'dynamic-import' && !/[\\/]node_modules[\\/]/.test(args.importer)
        ? { errors: [{ text: `import('${args.path}'): import() a module of ours that re-exports what is needed from it (see tasks/CreateImage/src/toolCache.ts)` }] } : undefined));
      b.onResolve({ filter: /^\.\/sdk\/\w+$/ }, (args) => (args.kind === 'require-call' && args.resolveDir === dirname(sdkDir)
        ? { path: `./sdk-${basename(args.path)}.js`, external: true } : undefined));
    },
  };
  const result = await build({
    ...common,
    entryPoints: { bundle: entry, ...Object.fromEntries([...facades].map((f) => [`sdk-${f}`, join(sdkDir, `${f}.ts`)])) },
    outdir: out,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    format: 'esm',
    splitting: true,
    write: false,
    minify,
    sourcemap: false,
    legalComments: 'none',
    plugins: [lazySdk, lazyFormData, jwtFeatureChecks],
    // Some Azure packages' ES builds call createRequire(import.meta.url); import.meta is empty once the file
    // is CommonJS, so give it the file's own URL.
    define: { 'import.meta.url': '__bundleFileUrl' },
  });
  const files = [];
  for (const f of result.outputFiles) {
    if (!f.path.endsWith('.js')) {
      writeFileSync(f.path, f.contents);
      continue;
    }
    // ES module → CommonJS: imports become require('./chunk-….js'), `import()` a require when the promise runs
    const cjs = await transform(f.text, {
      format: 'cjs', target: 'node20', platform: 'node', minify, legalComments: 'none', supported: { 'dynamic-import': false },
      banner: 'const __bundleFileUrl = require("url").pathToFileURL(__filename).href;',
    });
    writeFileSync(f.path, cjs.code);
    files.push(basename(f.path));
  }
  return files.sort();
}

/** The build shape before chunks: one CommonJS file, every package by its `main` field first (the A/B baseline). */
async function bundleSingleFile(task, out) {
  await build({
    entryPoints: [join(root, 'tasks', task, 'src', 'index.ts')],
    outfile: join(out, 'bundle.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify,
    sourcemap: false,
    legalComments: 'none',
    define: { 'import.meta.url': '__bundleFileUrl' },
    banner: { js: 'const __bundleFileUrl = require("url").pathToFileURL(__filename).href;' },
    logLevel: 'warning',
    loader: { '.node': 'copy' },
  });
  return ['bundle.js'];
}

await Promise.all(tasks.map(async (task) => {
  const dir = join(root, 'tasks', task);
  const out = join(args['single-file'] ?? outRoot, task);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const files = await (args['single-file'] ? bundleSingleFile(task, out) : bundleTask(task, out));
  for (const f of ['task.json', 'task.loc.json', 'icon.png', 'icon.svg', 'Strings', 'assets']) {
    if (existsSync(join(dir, f))) cpSync(join(dir, f), join(out, f), { recursive: true });
  }
  // task-lib's messages (loc strings for its own errors) are read from lib.json beside the bundle.
  cpSync(join(root, 'node_modules', 'azure-pipelines-task-lib', 'lib.json'), join(out, 'lib.json'));
  const toolLib = join(root, 'node_modules', 'azure-pipelines-tool-lib', 'lib.json');
  if (existsSync(toolLib)) cpSync(toolLib, join(out, 'tool-lib.json'));
  // each file's hash names its code cache: a rebuilt file never meets the bytecode of another
  const ids = Object.fromEntries(files.map((f) => [f, createHash('sha256').update(readFileSync(join(out, f))).digest('hex').slice(0, 16)]));
  writeFileSync(join(out, 'index.js'), loader.replace('{ /* __FILE_IDS__ */ }', JSON.stringify(ids)));
  const size = (f) => statSync(join(out, f)).size / 1024;
  console.log(`bundled ${task}: ${files.reduce((a, f) => a + size(f), 0).toFixed(0)} KiB (bundle.js ${size('bundle.js').toFixed(0)} KiB, ${files.length - 1} more files loaded on first use)`);
}));
