// Test-only preload (`NODE_OPTIONS=--require test/harness/loaded-modules.js`), plain JS so it needs no build: at
// exit, writes the Node built-in modules the process loaded, one per line, to the file named by
// AZ_LOADED_MODULES_LOG (a test reads it to prove a run never loaded one, e.g. undici: scripts/build.mjs).
'use strict';
const fs = require('fs');

const log = process.env.AZ_LOADED_MODULES_LOG;
if (log) {
  process.on('exit', () => {
    const builtins = (process.moduleLoadList || []).filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
    fs.writeFileSync(log, `${builtins.join('\n')}\n`);
  });
}
