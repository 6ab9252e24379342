// Loaded with require() on first use (see azureClients.ts): an ES module re-export, so the bundle keeps
// the SDK's ES build (one copy of its core packages, tree-shaken) and evaluates it only when required.
export { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
