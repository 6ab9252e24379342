'use strict';
// Each task's index.js (copied here by scripts/build.mjs, which fills in BUNDLE_ID): runs bundle.js with a V8
// code cache. Compiling the 0.7–2 MB bundle is a large part of a task's cold start (README.md, 'Cold start'); the
// bytecode V8 made for the previous run is kept beside the task (the agent keeps a task's folder between
// jobs) or in Agent.TempDirectory, one file per bundle, Node version and architecture. The first run on an
// agent compiles as usual and writes the cache when the process exits; later runs start from it. A missing,
// unreadable or rejected cache (another V8, other flags) is compiled as usual, silently; a failure to write
// it changes nothing else.
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const Module = require('module');

const BUNDLE_ID = '__BUNDLE_ID__';
const bundle = path.join(__dirname, 'bundle.js');
const cacheName = `.v8cache-${BUNDLE_ID}-${process.version}-${process.arch}`;
const cacheDirs = [__dirname, process.env.AGENT_TEMPDIRECTORY].filter(Boolean);

function readCache() {
  for (const dir of cacheDirs) {
    try {
      return fs.readFileSync(path.join(dir, cacheName));
    } catch {
      // not there (first run) or unreadable: try the next place
    }
  }
  return undefined;
}

function writeCache(script) {
  let data;
  try {
    data = script.createCachedData();
  } catch {
    return;
  }
  for (const dir of cacheDirs) {
    const file = path.join(dir, cacheName);
    const temp = `${file}.${process.pid}.tmp`;
    try {
      // a whole file or none: another agent on the machine may read it at the same moment
      fs.writeFileSync(temp, data);
      fs.renameSync(temp, file);
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

function compile() {
  try {
    const cachedData = readCache();
    const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), {
      filename: bundle,
      cachedData,
      // import() inside the bundle resolves as it would in a module Node loaded itself (Node ≥ 20.12)
      importModuleDynamically: vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    // written at exit, so the cache also holds the functions this run compiled lazily
    if (!cachedData || script.cachedDataRejected) process.once('exit', () => writeCache(script));
    return script;
  } catch {
    return undefined;
  }
}

const script = compile();
if (script) {
  const m = new Module(bundle, module);
  m.filename = bundle;
  m.paths = Module._nodeModulePaths(__dirname);
  script.runInThisContext().call(m.exports, m.exports, Module.createRequire(bundle), m, bundle, __dirname);
} else {
  require(bundle);
}
