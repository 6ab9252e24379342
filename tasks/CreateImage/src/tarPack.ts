// tar-stream's packer, loaded with `await import('./tarPack')` where the build context is packed
// (buildContext.ts), after the task's first ARM request (README.md, 'Cold start'). An ES re-export, so the
// import gives this name (an import() of the CommonJS package itself gives only `default` in the split bundle).
export { pack } from 'tar-stream';
