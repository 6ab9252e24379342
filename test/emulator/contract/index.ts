// Contract check (docs/EMULATOR.md "Contract check"): every ARM request body and every ARM reply the
// emulator writes is checked against the official JS SDK's schema of that operation; every data-plane
// request against the route table of the official clients. A request that breaks the contract is
// answered 400 (as Azure answers a body it cannot bind), a reply that breaks it becomes a 500, so the
// test that caused either fails; both are counted here and summed for the whole test run.
import { checkBody } from './schema';
import { DATA_PLANE_HOSTS, findDataPlaneRoute } from './data-plane-routes';
import { findSdkOperation, type SdkOperation } from './sdk-operations';
import type { HostKey } from '../types';

export { DATA_PLANE_ROUTES } from './data-plane-routes';
export { sdkOperations, findSdkOperation } from './sdk-operations';

export interface ContractCounts {
  /** ARM requests matched to an SDK operation and checked (with or without a body). */
  armRequests: number;
  /** ARM replies checked against the operation's reply mappers. */
  armReplies: number;
  /** ARM requests on routes of ARM_ROUTES_OUTSIDE_SDK_OPERATIONS (route checked, bodies not). */
  armRequestsWithoutSchema: number;
  /** Data-plane requests matched to a row of DATA_PLANE_ROUTES. */
  dataPlaneRequests: number;
  /** Every violation, one line each: `<method> <path>: <problem>`. */
  violations: string[];
  /** Violations a test provoked on purpose (see ContractChecker.expectViolation). */
  expectedViolations: number;
}

/**
 * ARM routes that no SDK package of this repository describes, each with its REST spec: the route is
 * real, but its bodies are not checked (counted as `armRequestsWithoutSchema`).
 */
export const ARM_ROUTES_OUTSIDE_SDK_OPERATIONS: readonly { method: string; template: RegExp; source: string }[] = [
  {
    method: 'GET', template: /^\/subscriptions\/[^/]+\/providers\/[^/]+\/locations\/[^/]+\/(operationStatuses|operationsStatus|operationResults)\/[^/]+$/i,
    source: 'long-running-operation URLs given by the Azure-AsyncOperation/Location headers (ARM RPC "Asynchronous operations"), not operations of their own',
  },
  {
    method: 'GET', template: /^\/subscriptions(\/[^/]+)?$/i,
    source: 'azure-rest-api-specs resources/resource-manager/Microsoft.Resources/subscriptions (Subscriptions_List, Subscriptions_Get; npm @azure/arm-resources-subscriptions)',
  },
  {
    method: 'GET', template: /^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?\/providers\/Microsoft\.KeyVault\/vaults$/i,
    source: 'azure-rest-api-specs keyvault/resource-manager/Microsoft.KeyVault keyvault.json (Vaults_ListBySubscription, Vaults_ListByResourceGroup; npm @azure/arm-keyvault)',
  },
  {
    method: 'GET', template: /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/microsoft\.insights\/components\/[^/]+$/i,
    source: 'azure-rest-api-specs applicationinsights/resource-manager/Microsoft.Insights components_API.json (Components_Get; npm @azure/arm-appinsights)',
  },
  // DeployToACI's pull identity (tasks/DeployToACI/src/pullIdentity.ts) calls these with the raw ARM pipeline; the
  // services check the bodies against the spec themselves (services/managed-identities.ts, role-assignments.ts).
  ...['GET', 'PUT'].map((method) => ({
    method, template: /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/[^/]+$/i,
    source: 'azure-rest-api-specs msi/resource-manager/Microsoft.ManagedIdentity/stable/2023-01-31 ManagedIdentity.json (UserAssignedIdentities_Get, _CreateOrUpdate; npm @azure/arm-msi)',
  })),
  ...['GET', 'PUT'].map((method) => ({
    method, template: /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+\/providers\/Microsoft\.Authorization\/roleAssignments(\/[^/]+)?$/i,
    source: 'azure-rest-api-specs authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01 authorization-RoleAssignmentsCalls.json (RoleAssignments_Create, _Get, _ListForScope at a resource scope; npm @azure/arm-authorization)',
  })),
];

/**
 * ARM routes the emulator also serves at an api-version newer than the one the SDK package describes, each
 * with its REST spec: at that api-version the route is checked, its bodies are not (the SDK's schema lacks
 * the newer properties), counted as `armRequestsWithoutSchema`. At the SDK's own api-version the full check applies.
 */
export const ARM_ROUTES_AT_NEWER_API_VERSIONS: readonly { template: RegExp; apiVersions: readonly string[]; source: string }[] = [
  {
    template: /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+\/onlineEndpoints(\/.*)?$/i,
    apiVersions: ['2024-04-01'],
    source: 'azure-rest-api-specs machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable/2024-04-01 (OnlineEndpoints_*, OnlineDeployments_*: mirrorTraffic, dataCollector); @azure/arm-machinelearning 2.1.1 describes 2022-10-01 only',
  },
  {
    template: /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+\/jobs(\/[^/]+)?$/i,
    apiVersions: ['2022-10-01-preview'],
    source: 'azure-rest-api-specs machinelearningservices/resource-manager/Microsoft.MachineLearningServices/preview/2022-10-01-preview (Jobs_*: JobService.nodes, lower-case SamplingAlgorithm.rule): the api-version azure-ai-ml 1.4 submits jobs with (_job_operations uses _restclient.v2022_10_01_preview), and TrainModel with a job file',
  },
];

/** Sum over every emulator of this process (the test run), read by test/reporter.js. */
export const runTotals: ContractCounts = { armRequests: 0, armReplies: 0, armRequestsWithoutSchema: 0, dataPlaneRequests: 0, violations: [], expectedViolations: 0 };

export class ContractViolation extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export class ContractChecker {
  readonly counts: ContractCounts = { armRequests: 0, armReplies: 0, armRequestsWithoutSchema: 0, dataPlaneRequests: 0, violations: [], expectedViolations: 0 };

  private readonly expected: RegExp[] = [];

  /** A test that sends a bad request on purpose names the violation it expects; it is then not a failure of the run. */
  expectViolation(pattern: RegExp): void {
    this.expected.push(pattern);
  }

  private violation(line: string): void {
    const i = this.expected.findIndex((p) => p.test(line));
    if (i >= 0) {
      this.expected.splice(i, 1);
      this.counts.expectedViolations++;
      runTotals.expectedViolations++;
      return;
    }
    this.counts.violations.push(line);
    runTotals.violations.push(line);
  }

  private count(k: 'armRequests' | 'armReplies' | 'armRequestsWithoutSchema' | 'dataPlaneRequests'): void {
    this.counts[k]++;
    runTotals[k]++;
  }

  /**
   * Checks one request before its handler runs. Returns the SDK operation (for the reply check);
   * throws ContractViolation when the request breaks the contract.
   */
  checkRequest(hostKey: HostKey, method: string, path: string, body: string, apiVersion?: string): SdkOperation | undefined {
    if (DATA_PLANE_HOSTS.includes(hostKey)) {
      if (findDataPlaneRoute(hostKey, method, path)) {
        this.count('dataPlaneRequests');
        return undefined;
      }
      const line = `${method} ${path}: no official client calls this data-plane route (test/emulator/contract/data-plane-routes.ts)`;
      this.violation(line);
      throw new ContractViolation(404, 'NotFound', `Contract check: ${line}`);
    }
    if (hostKey !== 'arm') return undefined;
    if (ARM_ROUTES_OUTSIDE_SDK_OPERATIONS.some((r) => r.method === method && r.template.test(path))
      || (apiVersion && ARM_ROUTES_AT_NEWER_API_VERSIONS.some((r) => r.apiVersions.includes(apiVersion) && r.template.test(path)) && findSdkOperation(method, path))) {
      this.count('armRequestsWithoutSchema');
      return undefined;
    }
    const op = findSdkOperation(method, path);
    if (!op) {
      const line = `${method} ${path}: no operation of the SDK packages has this route`;
      this.violation(line);
      throw new ContractViolation(404, 'InvalidResourceType', `Contract check: ${line}`);
    }
    this.count('armRequests');
    if (!op.requestBody || body.trim() === '') {
      if (op.requestBody?.required && body.trim() === '') {
        const line = `${method} ${path}: ${op.name} requires a request body`;
        this.violation(line);
        throw new ContractViolation(400, 'InvalidRequestContent', `Contract check: ${line}`);
      }
      return op;
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return op; // the handler answers a body that is not JSON
    }
    const issues = checkBody(json, op.requestBody, op.models, 'request');
    if (issues.length > 0) {
      const line = `${method} ${path}: request body does not match ${op.name}: ${issues.join('; ')}`;
      this.violation(line);
      throw new ContractViolation(400, 'InvalidRequestContent', `Contract check: ${line}`);
    }
    return op;
  }

  /** Checks a reply of an ARM operation; returns the violation line (the caller turns the reply into a 500). */
  checkReply(op: SdkOperation, method: string, path: string, status: number, body: unknown): string | undefined {
    this.count('armReplies');
    const listed = op.responses[String(status)];
    let problem: string | undefined;
    if (!listed && status < 400) {
      problem = `status ${status} is not a success status of ${op.name} (it expects ${Object.keys(op.responses).filter((k) => k !== 'default').join(', ')}); the SDK treats it as an error`;
    } else {
      const mapper = (listed ?? op.responses.default)?.bodyMapper;
      if (mapper && body !== undefined) {
        const issues = checkBody(body, mapper, op.models, 'reply');
        if (issues.length > 0) problem = `reply ${status} does not match ${op.name}: ${issues.join('; ')}`;
      }
    }
    if (!problem) return undefined;
    const line = `${method} ${path}: ${problem}`;
    this.violation(line);
    return line;
  }
}
