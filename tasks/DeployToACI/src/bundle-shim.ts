// MUST stay the first import of index.ts.
// Work-around for a build gap (scripts/build.mjs is not ours to change): the build bundles ESM packages
// into CommonJS, where esbuild replaces `import.meta` with `{}`. @azure/storage-common (pulled in through
// the shared library's azure.ts → @azure/storage-blob, although this task uses no blob storage) then calls
// createRequire(undefined) and fileURLToPath(undefined) while loading, and the task dies before it
// starts. Until the build defines import.meta.url, an undefined URL is read as this bundle's own file;
// defined arguments go to Node unchanged. (TrainModel carries the same shim.)
/* eslint-disable @typescript-eslint/no-require-imports */
const nodeModule = require('node:module') as typeof import('node:module');
const nodeUrl = require('node:url') as typeof import('node:url');
/* eslint-enable @typescript-eslint/no-require-imports */

const self = (): string => (typeof __filename === 'string' ? __filename : process.argv[1] ?? process.cwd());

if (!(nodeModule.createRequire as { patchedForBundle?: boolean }).patchedForBundle) {
  const createRequire = nodeModule.createRequire;
  const fileURLToPath = nodeUrl.fileURLToPath;
  const patched = ((p: string | URL | undefined) => createRequire(p === undefined ? self() : p)) as typeof createRequire & { patchedForBundle?: boolean };
  patched.patchedForBundle = true;
  nodeModule.createRequire = patched;
  nodeUrl.fileURLToPath = ((u: string | URL | undefined, ...rest: unknown[]) =>
    (fileURLToPath as (u: string | URL, ...r: unknown[]) => string)(u === undefined ? nodeUrl.pathToFileURL(self()) : u, ...rest)) as typeof fileURLToPath;
}

export {};
