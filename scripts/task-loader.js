'use strict';
// Each task's index.js (copied here by scripts/build.mjs, which fills in FILE_IDS): runs bundle.js with a V8 code
// cache, and each file the bundle loads on first use (sdk-*.js, chunk-*.js: scripts/build.mjs) the same way when it
// is first required. Compiling the bundle is a large part of a task's cold start (README.md, 'Cold start'); the
// bytecode V8 made for the previous run is kept beside the task (the agent keeps a task's folder between jobs) or
// in Agent.TempDirectory, one file per bundle file, Node version and architecture. The first run on an agent
// compiles as usual and writes the cache of each file it loaded when the process exits; later runs start from it.
// A missing, unreadable or rejected cache (another V8, other flags) is compiled as usual, silently; a failure to
// write it changes nothing else.
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const Module = require('module');

// file name → hash of its content (names its cache: a rebuilt file never meets the bytecode of another)
const FILE_IDS = { /* __FILE_IDS__ */ };
const cacheDirs = [__dirname, process.env.AGENT_TEMPDIRECTORY].filter(Boolean);
const cacheName = (file) => `.v8cache-${FILE_IDS[file]}-${process.version}-${process.arch}`;

function readCache(file) {
  for (const dir of cacheDirs) {
    try {
      return fs.readFileSync(path.join(dir, cacheName(file)));
    } catch {
      // not there (first run) or unreadable: try the next place
    }
  }
  return undefined;
}

function writeCache(file, script) {
  let data;
  try {
    data = script.createCachedData();
  } catch {
    return;
  }
  for (const dir of cacheDirs) {
    const target = path.join(dir, cacheName(file));
    const temp = `${target}.${process.pid}.tmp`;
    try {
      // a whole file or none: another agent on the machine may read it at the same moment
      fs.writeFileSync(temp, data);
      fs.renameSync(temp, target);
      return;
    } catch {
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // nothing more to do
      }
    }
  }
}

function compile(file, filename) {
  try {
    const cachedData = readCache(file);
    const script = new vm.Script(Module.wrap(fs.readFileSync(filename, 'utf8')), {
      filename,
      cachedData,
      // import() inside the bundle resolves as it would in a module Node loaded itself (Node ≥ 20.12)
      importModuleDynamically: vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    // written at exit, so the cache also holds the functions this run compiled lazily
    if (!cachedData || script.cachedDataRejected) process.once('exit', () => writeCache(file, script));
    return script;
  } catch {
    return undefined;
  }
}

/** require() for a file of the task: its own files through the code cache, anything else as Node requires it. */
function requireFrom(filename) {
  const plain = Module.createRequire(filename);
  const req = (id) => (typeof id === 'string' && id.startsWith('./') && Object.hasOwn(FILE_IDS, id.slice(2)) ? load(id.slice(2)) : plain(id));
  return Object.assign(req, { resolve: plain.resolve, cache: plain.cache, main: plain.main, extensions: plain.extensions });
}

/** Evaluates one file of the task once (as Node would: one module per file, in Node's require cache). */
function load(file) {
  const filename = path.join(__dirname, file);
  const cached = Module._cache[filename];
  if (cached) return cached.exports;
  const script = compile(file, filename);
  if (!script) return require(filename);
  const m = new Module(filename, module);
  m.filename = filename;
  m.paths = Module._nodeModulePaths(__dirname);
  Module._cache[filename] = m;
  try {
    script.runInThisContext().call(m.exports, m.exports, requireFrom(filename), m, filename, __dirname);
  } catch (e) {
    delete Module._cache[filename];
    throw e;
  }
  m.loaded = true;
  return m.exports;
}

load('bundle.js');
