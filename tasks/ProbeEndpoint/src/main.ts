// ProbeEndpoint's main: readInputs (pure) → prepare: the scoring key (the Azure context is made only when the key
// is in Key Vault) → execute: the probe (HTTP requests only, nothing in Azure is written) → report, outputs and
// the outcome. Its dependencies come in through `deps`, so the L0 tests hand it a fake vault and scoring client
// instead of mocking modules by path.
import * as tl from 'azure-pipelines-task-lib/task';
import { agentHttp } from '../../shared/src/http';
import { type AzureContext, createKeyVaultContext, type KeyVaultClients } from '../../shared/src/keyvault';
import { cancellationSignal, failed, onCancel, type Outcome, succeeded, untrusted } from '../../shared/src/task';
import type { ScoringClient, ScoringClientOptions } from './client';
import { readInputs, showUrl } from './inputs';
import { probe } from './probe';
import { report, setOutputs } from './report';
import { requestHeaders, resolveScoringKey } from './scoringKey';
import { type Lookup, plainHttpKeyWarning } from './transport';

export interface ProbeDeps {
  /** Called only when the scoring key is in Key Vault. */
  createAzureContext(): AzureContext<KeyVaultClients>;
  /** Makes the client for one endpoint (default: the real ScoringClient). */
  scoringClient?: (o: ScoringClientOptions) => ScoringClient;
  /** Resolves a host name to its addresses (the plain-HTTP warning; default: the system resolver). */
  lookup?: Lookup;
}

export const azureDeps: ProbeDeps = {
  // only the Key Vault client: the bundle holds no ARM SDK
  createAzureContext: () => createKeyVaultContext(),
};

export async function main(deps: ProbeDeps = azureDeps): Promise<Outcome> {
  const p = readInputs();
  const key = await resolveScoringKey(p.keySource, deps.createAzureContext);
  for (const [url, sent, input] of [[p.scoringUrl, !!key, 'scoringUri'], [p.baseline?.url, !!p.baseline?.key, 'baselineScoringUri']] as const) {
    const w = url && sent ? await plainHttpKeyWarning(url, input, deps.lookup) : undefined;
    if (w) tl.warning(w);
  }
  // nothing to undo in Azure: a cancel only stops the requests in flight (the shared signal aborts them)
  onCancel(async () => undefined, 'stop sending requests');
  const target = showUrl(p.scoringUrl);
  const result = await probe(
    {
      scoringUrl: p.scoringUrl,
      headers: requestHeaders(p.headers, key),
      ...(key ? { headersWithoutKey: requestHeaders(p.headers, undefined) } : {}),
      ...(p.baseline ? { baseline: { url: p.baseline.url, headers: requestHeaders(p.headers, p.baseline.key) } } : {}),
      payloads: p.payloads,
      readinessTimeoutSeconds: p.readinessTimeoutSeconds,
      warmupRequests: p.warmupRequests,
      requestCount: p.requestCount,
      concurrency: p.concurrency,
      requestTimeoutSeconds: p.requestTimeoutSeconds,
      bounds: p,
    },
    { agentHttp: agentHttp(), signal: cancellationSignal(), ...(deps.scoringClient ? { scoringClient: deps.scoringClient } : {}) },
  );
  report({ target, result, publishTestResults: p.publishTestResults, testRunTitle: p.testRunTitle });
  setOutputs(result);
  const broken = result.checks.filter((c) => c.outcome === 'failed');
  // a check's detail quotes the endpoint's reply (keys and values): text from outside
  for (const c of broken) tl.error(untrusted(c.detail));
  if (broken.length > 0) return failed(tl.loc('ProbeFailed', target, broken.length, broken.map((c) => c.name).join(', ')));
  console.log(tl.loc('ProbePassed', target, result.observations.load ? result.observations.load.stats.p95.toFixed(2) : '-', result.observations.load?.errorRate ?? 0, result.observations.load?.requestsPerSecond.toFixed(1) ?? '-'));
  return succeeded();
}
