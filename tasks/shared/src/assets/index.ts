// Front door for Azure ML assets a task uploads or registers from the checkout: the code snapshot (files
// minus ignore rules, content hash), its code version (uploaded once per hash) and environment versions
// (content-hash versions of conda files). Used by TrainModel (jobs) and DeployOnlineEndpoint (deployments).
export { formatBytes, IGNORE_FILES, listSnapshotFiles, snapshotCode, type CodeSnapshot, type SnapshotFile } from './codeSnapshot';
export { CODE_VERSION, codeBlobPrefix, codeVersionArmId, ensureCodeVersion, findCodeVersion, uploadSnapshot, type CodeVersionResult } from './codeVersion';
export { condaEnvironmentVersion, environmentArmId, newestVersion } from './environmentVersion';
