// tool-lib's tool cache, loaded with `await import('./toolCache')` where the model's files are looked up
// (model.ts): tool-lib and typed-rest-client are not evaluated before the task's first ARM request (README.md,
// 'Cold start'). An ES re-export, so the import gives these names (an import() of the CommonJS package itself
// gives only `default` in the split bundle).
export { cacheDir, findLocalTool } from 'azure-pipelines-tool-lib/tool';
