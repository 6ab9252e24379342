// Shared set-up of the CreateImage L0 scenarios (not a scenario itself): inputs through TaskMockRunner,
// the service connection through ENDPOINT_* variables. A scenario runs tests/L0/entry.js, which calls the
// task's main with its dependencies injected (no module is mocked by path):
//   createAzureContext: the real one (connection, credential, clients; no request is made before a client
//     asks for a token, and no fake asks).
//   azure: recording fakes for each call to Azure (src/azureCalls.ts): openWorkspace, resolveModel,
//     modelFiles, resolveRegistry, ensureImage (ACR Tasks build / registry data plane).
// The rest runs for real: input validation, the build context assembled on disk, outputs, summary.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AzureClients, AzureSession, ContextWith } from '../../../shared/src/azure';
import type { WorkspaceScope } from '../../../shared/src/workspace';
import { L0_SUBSCRIPTION, l0TaskRunner, l0Workspace, recordCall } from '../../../shared/tests/l0';
import type { BuildContext } from '../../src/buildContext';
import type { ImageResult, ImageTarget } from '../../src/image';
import type { ModelFiles, ResolvedModel } from '../../src/model';
import type { RegistryChoice } from '../../src/inputs';
import type { RegistryInfo } from '../../src/targetRegistry';
import type { ModelRef } from '../../src/references';
import type { ImageDeps } from '../../src/main';

const SCENARIO_ENV = 'L0_IMAGE_SCENARIO';

/** The connection's client secret: the tests check it never reaches the log unmasked. */
export const SP_KEY = 'L0-planted-sp-Secret-4d1f7a';
export const SUBSCRIPTION = L0_SUBSCRIPTION;
export const LOGIN_SERVER = 'mlacr12345.azurecr.io';
export const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** Writes a score.py and a model folder into a fresh directory. */
function workDir(): { dir: string; scoringScript: string; modelDir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l0-createimage-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const scoringScript = path.join(dir, 'score.py');
  fs.writeFileSync(scoringScript, 'import json\n\ndef init():\n    pass\n\ndef run(raw_data):\n    return json.loads(raw_data)\n');
  const modelDir = path.join(dir, 'model', 'churn');
  fs.mkdirSync(modelDir, { recursive: true });
  fs.writeFileSync(path.join(modelDir, 'model.pkl'), 'not really a pickle');
  return { dir, scoringScript, modelDir };
}

/**
 * Runs CreateImage with the default valid inputs, overridden by `inputs` (undefined removes one;
 * the value '<scoringScript>' stands for the generated score.py).
 */
export function runCreateImageScenario(inputs: Record<string, string | undefined> = {}): void {
  const w = workDir();
  const all: Record<string, string | undefined> = {
    azureSubscription: 'conn-arm',
    resourceGroup: 'rg-ml',
    workspaceName: 'ws-prod',
    modelId: 'azureml:churn:3',
    scoringScript: w.scoringScript,
    reuseExistingImage: 'true',
    timeoutMinutes: '30',
    ...inputs,
  };
  const inputsWithPaths = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v === '<scoringScript>' ? w.scoringScript : v]));
  const tmr = l0TaskRunner(__dirname, { spKey: SP_KEY, variables: { BUILD_BUILDID: '42', BUILD_SOURCESDIRECTORY: w.dir }, inputs: inputsWithPaths, entry: path.join(__dirname, 'entry.js') });
  process.env[SCENARIO_ENV] = JSON.stringify({ modelDir: w.modelDir });
  tmr.run();
}

/** The dependencies entry.js hands to main: the real context and recording fakes of the Azure calls. */
export function l0Deps(): ImageDeps {
  const w = JSON.parse(process.env[SCENARIO_ENV] ?? '{}') as { modelDir: string };
  const ctxOf = (ctx: AzureSession): { subscriptionId: string; scheme: string; tenantId: string } => ({
    subscriptionId: ctx.subscriptionId,
    scheme: ctx.connection.scheme,
    tenantId: ctx.connection.tenantId,
  });
  const ws = l0Workspace({ containerRegistryId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-ml/providers/Microsoft.ContainerRegistry/registries/mlacr12345` });

  return {
    createAzureContext: (): ContextWith<'ml' | 'acr'> => {
      // loaded here, not at the top: task-lib reads the inputs when it is first loaded, after the scenario set them
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { containerRegistries, createAzureContext, machineLearning } = require('../../../shared/src/azure') as typeof import('../../../shared/src/azure');
      return createAzureContext({ ml: machineLearning, acr: containerRegistries });
    },
    azure: {
      openWorkspace: async <K extends keyof AzureClients>(ctx: ContextWith<K | 'ml'>, resourceGroup: string, workspaceName: string): Promise<WorkspaceScope<K | 'ml'>> => {
        recordCall('openWorkspace', { ...ctxOf(ctx), resourceGroup, workspaceName });
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { workspaceScope } = require('../../../shared/src/workspace') as typeof import('../../../shared/src/workspace');
        return workspaceScope(ctx, ws, workspaceName);
      },
      resolveModel: async (s: WorkspaceScope, ref: ModelRef): Promise<ResolvedModel> => {
        recordCall('resolveModel', { ...ctxOf(s.ctx), workspace: s.ws.name, ref });
        const modelUri = `azureml://datastores/workspaceblobstore/paths/models/${ref.name}`;
        return { ref, id: `azureml:${ref.name}:${ref.version}`, armId: `${ws.id}/models/${ref.name}/versions/${ref.version}`, modelUri, location: { kind: 'datastore', datastore: 'workspaceblobstore', path: `models/${ref.name}` } };
      },
      modelFiles: async (_s: WorkspaceScope, model: ResolvedModel): Promise<ModelFiles> => {
        recordCall('modelFiles', { model: model.id });
        return { dir: path.dirname(w.modelDir), fromCache: false, files: 1, bytes: 19 };
      },
      resolveRegistry: async (s: WorkspaceScope<'acr'>, choice: RegistryChoice): Promise<RegistryInfo> => {
        recordCall('resolveRegistry', { ...ctxOf(s.ctx), workspace: s.ws.name, choice });
        return { id: ws.containerRegistryId as string, name: 'mlacr12345', resourceGroup: 'rg-ml', loginServer: LOGIN_SERVER };
      },
      ensureImage: async (
        s: WorkspaceScope<'acr'>,
        registry: RegistryInfo,
        context: BuildContext,
        target: ImageTarget,
        o: { reuse: boolean; timeoutMs: number; upstream: Record<string, string> },
      ): Promise<ImageResult> => {
        recordCall('ensureImage', {
          ...ctxOf(s.ctx),
          loginServer: registry.loginServer,
          target,
          reuse: o.reuse,
          timeoutMs: o.timeoutMs,
          upstream: o.upstream,
          contextFiles: [...context.files].sort(),
          dockerfile: fs.readFileSync(path.join(context.dir, context.dockerfilePath), 'utf8'),
        });
        return { digest: DIGEST, reused: false, runId: 'cb7', contextTag: `ctx-${context.hash.slice(0, 12)}` };
      },
    },
  };
}
