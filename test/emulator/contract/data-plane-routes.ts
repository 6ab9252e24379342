// THE table of data-plane routes the emulator may serve, each with the official client that calls it.
// The ARM side is checked against the SDK packages themselves (sdk-operations.ts); the data planes
// (run history, MLflow, ACR) have no JS SDK package in this repository, so their routes are written
// down here from the official clients' generated route templates. A data-plane route the emulator
// registers must match a row (else the emulator refuses to start), and every data-plane request it
// serves is counted against its row: the emulator cannot grow a route no official client calls.
// Sources named "python3-azure" are files of Debian's python3-azure (20230112) under
// /usr/lib/python3/dist-packages/azure/, the same code as Azure/azure-sdk-for-python.
import type { HostKey } from '../types';

export interface DataPlaneRoute {
  host: HostKey;
  method: string;
  /** `{x}` is one segment, `{*x}` one or more (a repository name may contain `/`). */
  template: string;
  source: string;
}

const WS = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}';

export const DATA_PLANE_ROUTES: readonly DataPlaneRoute[] = [
  {
    host: 'amlData', method: 'GET', template: '/discovery',
    source: 'Workspace.properties.discoveryUrl (azure-rest-api-specs machinelearningservices 2022-10-01), fetched by azure-ai-ml '
      + '_utils/utils.py _get_mfe_base_url_from_discovery_service (python3-azure); https://<region>.api.azureml.ms/discovery',
  },
  {
    host: 'amlData', method: 'GET', template: `/history/v1.0${WS}/runs/{runId}/details`,
    source: 'azure-ai-ml _restclient/runhistory/operations/_runs_operations.py build_get_details_request (python3-azure), '
      + 'called by operations/_run_operations.py RunOperations.get_run_details',
  },
  {
    host: 'amlData', method: 'GET', template: `/history/v1.0${WS}/runs/{runId}/children`,
    source: 'azure-ai-ml _restclient/runhistory/operations/_runs_operations.py build_get_child_request (python3-azure), '
      + 'called by jobs.list(parent_job_name=...)',
  },
  {
    host: 'amlData', method: 'GET', template: `/mlflow/v1.0${WS}/api/2.0/mlflow/runs/get`,
    source: 'MLflow REST API GetRun `2.0/mlflow/runs/get` (mlflow/protos/service.proto) under the workspace mlFlowTrackingUri '
      + '`azureml://<region>.api.azureml.ms/mlflow/v1.0/subscriptions/…` (Workspace.properties.mlFlowTrackingUri; azureml-mlflow maps azureml:// to https://)',
  },
  {
    host: 'amlData', method: 'GET', template: `/mlflow/v1.0${WS}/api/2.0/mlflow/metrics/get-history`,
    source: 'MLflow REST API GetMetricHistory `2.0/mlflow/metrics/get-history` (mlflow/protos/service.proto), same tracking URI',
  },
  {
    host: 'acr', method: 'POST', template: '/oauth2/exchange',
    source: 'azure-containerregistry _generated/operations/_authentication_operations.py exchange_aad_access_token_for_acr_refresh_token (python3-azure); '
      + 'azure-rest-api-specs containerregistry data-plane 2021-07-01',
  },
  {
    host: 'acr', method: 'POST', template: '/oauth2/token',
    source: 'azure-containerregistry _generated/operations/_authentication_operations.py exchange_acr_refresh_token_for_acr_access_token (python3-azure)',
  },
  {
    host: 'acr', method: 'GET', template: '/v2/',
    source: 'azure-containerregistry _generated/operations/_container_registry_operations.py check_docker_v2_support (python3-azure)',
  },
  {
    host: 'acr', method: 'GET', template: '/v2/{*name}/manifests/{reference}',
    source: 'azure-containerregistry _generated/operations/_container_registry_operations.py get_manifest (python3-azure); OCI distribution-spec "Pulling manifests"',
  },
  {
    host: 'acr', method: 'HEAD', template: '/v2/{*name}/manifests/{reference}',
    source: 'OCI distribution-spec "Checking if content exists in the registry" (HEAD /v2/<name>/manifests/<reference>), used by docker and oras',
  },
  {
    host: 'acr', method: 'PUT', template: '/v2/{*name}/manifests/{reference}',
    source: 'azure-containerregistry _generated/operations/_container_registry_operations.py create_manifest (python3-azure)',
  },
];

function templateRegExp(template: string): RegExp {
  const parts = template.split('/').map((s) => {
    if (/^\{\*\w+\}$/.test(s)) return '[^?]+';
    if (/^\{\w+\}$/.test(s)) return '[^/]+';
    return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('/')}$`, 'i');
}

const compiled = DATA_PLANE_ROUTES.map((r) => ({ route: r, re: templateRegExp(r.template) }));

/** The table row serving `method path` on a data-plane host, or undefined. */
export function findDataPlaneRoute(host: HostKey, method: string, path: string): DataPlaneRoute | undefined {
  return compiled.find((c) => c.route.host === host && c.route.method === method.toUpperCase() && c.re.test(path))?.route;
}

/** Host keys whose routes this table governs. */
export const DATA_PLANE_HOSTS: readonly HostKey[] = ['amlData', 'acr'];
