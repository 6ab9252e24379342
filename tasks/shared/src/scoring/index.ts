// Front door for probing scoring endpoints: the HTTP client (proxy, CA, exact timing), the load engine,
// latency statistics, JSON comparison with a tolerance, and the checks with their bounds. ProbeEndpoint
// and DeployOnlineEndpoint (each rollout step) judge endpoints with the same code and the same lines.
export { ScoringClient, type Exchange, type ScoringClientOptions } from './client';
export { isError, outcomeCounts, runLoad, type LoadOptions, type LoadRun, type RequestResult } from './load';
export { formatMs, formatRatio, latencyStats, percentile, type LatencyStats } from './stats';
export { firstDifference, responseValue, type Difference } from './compare';
export { agreement, evaluate, measure, type Agreement, type Bounds, type Check, type CheckName, type Measurement, type Observations, type Readiness } from './checks';
export { jsonErrorOffset, parseJsonOrJsonLines, readJsonDocuments, type JsonDocuments } from './payloads';
export { onlineEndpointScope, onlineEndpointToken } from './entraToken';
