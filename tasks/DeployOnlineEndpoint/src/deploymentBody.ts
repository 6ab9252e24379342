// The request bodies: the endpoint when it is created, the endpoint with a new traffic split, and the green
// deployment (ManagedOnlineDeployment, Microsoft.MachineLearningServices 2024-04-01). Pure, so the L0 and
// unit tests read exactly what Azure would get.
import type { AuthMode, OnlineInputs } from './inputs';
import type { OnlineDeployment, OnlineEndpoint } from './onlineApi';
import type { EndpointTraffic } from './traffic';

/** ISO 8601 duration of a number of milliseconds ('PT5S', 'PT0.5S'), as ARM's duration fields take. */
export function isoDuration(ms: number): string {
  const s = ms / 1000;
  return `PT${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}S`;
}

export function newEndpointBody(o: { location: string; authMode: AuthMode; description?: string; tags: Record<string, string> }): OnlineEndpoint {
  return {
    location: o.location,
    tags: o.tags,
    properties: {
      authMode: o.authMode === 'aadToken' ? 'AADToken' : 'Key',
      ...(o.description ? { description: o.description } : {}),
      traffic: {},
      mirrorTraffic: {},
    },
  };
}

/** The existing endpoint with only its traffic maps changed (a PUT carries the whole resource). */
export function trafficBody(e: OnlineEndpoint, t: EndpointTraffic): OnlineEndpoint {
  return {
    location: e.location,
    ...(e.tags ? { tags: e.tags } : {}),
    properties: {
      authMode: e.properties.authMode,
      ...(e.properties.description !== undefined ? { description: e.properties.description } : {}),
      traffic: t.traffic,
      mirrorTraffic: t.mirrorTraffic,
    },
  };
}

export interface DeploymentParts {
  location: string;
  modelId: string;
  codeId?: string;
  scoringScript?: string;
  environmentId?: string;
  tags: Record<string, string>;
}

type DeploymentSettings = Pick<OnlineInputs, 'instanceType' | 'instanceCount' | 'requestTimeoutMs' | 'maxConcurrentRequestsPerInstance' | 'probe' | 'environmentVariables' | 'appInsights' | 'collectData' | 'sampleRate'>;

export function deploymentBody(p: DeploymentSettings, parts: DeploymentParts): OnlineDeployment {
  const probe = {
    initialDelay: isoDuration(p.probe.initialDelaySeconds * 1000),
    period: isoDuration(p.probe.periodSeconds * 1000),
    timeout: 'PT2S',
    failureThreshold: p.probe.failureThreshold,
    successThreshold: 1,
  };
  // Data collector (2024-04-01 DataCollector: `collections` keyed by name, each with dataCollectionMode and
  // samplingRate); model_inputs and model_outputs are the names the data collector SDK and MonitorModel read.
  const collection = { dataCollectionMode: 'Enabled', samplingRate: p.sampleRate };
  return {
    location: parts.location,
    tags: parts.tags,
    sku: { name: 'Default', capacity: p.instanceCount },
    properties: {
      endpointComputeType: 'Managed',
      model: parts.modelId,
      // an MLflow model without a scoring script: no code and no environment (Azure builds both)
      ...(parts.codeId && parts.scoringScript ? { codeConfiguration: { codeId: parts.codeId, scoringScript: parts.scoringScript } } : {}),
      ...(parts.environmentId ? { environmentId: parts.environmentId } : {}),
      ...(p.environmentVariables.size > 0 ? { environmentVariables: Object.fromEntries(p.environmentVariables) } : {}),
      instanceType: p.instanceType,
      scaleSettings: { scaleType: 'Default' },
      requestSettings: { requestTimeout: isoDuration(p.requestTimeoutMs), maxConcurrentRequestsPerInstance: p.maxConcurrentRequestsPerInstance },
      livenessProbe: probe,
      readinessProbe: probe,
      appInsightsEnabled: p.appInsights,
      ...(p.collectData ? { dataCollector: { collections: { model_inputs: collection, model_outputs: collection }, rollingRate: 'Hour' } } : {}),
    },
  };
}
