// Loaded on first use (require() in ../blobStorage.ts, import() where DeployToACI makes a SAS): an ES module re-export, so the bundle keeps
// the SDK's ES build (one copy of its core packages, tree-shaken) and evaluates it only when required.
export {
  AnonymousCredential, ContainerClient, ContainerSASPermissions, generateBlobSASQueryParameters, newPipeline, SASProtocol, StorageSharedKeyCredential,
} from '@azure/storage-blob';
