// Measures one deployment behind the endpoint: the `azureml-model-deployment` header sends every request to
// it whatever the traffic split says, so green is probed alone and blue alike. Each payload once (answers
// kept for agreement and expected responses), then the load phase (latency and error rate).
import type { AgentHttp } from '../../shared/src/http';
import { runLoad, ScoringClient, type ScoringClientOptions } from '../../shared/src/scoring';
import type { ProbeSettings } from './inputs';
import type { DeploymentSample } from './stepCheck';

/** The header Azure ML's front door routes by. */
export const DEPLOYMENT_HEADER = 'azureml-model-deployment';

export interface Prober {
  sample(deployment: string): Promise<DeploymentSample>;
}

export function deploymentProber(o: {
  scoringUri: string;
  /** The key or Entra token (already masked). */
  credential: string;
  settings: ProbeSettings;
  agentHttp: AgentHttp;
  signal?: AbortSignal;
  scoringClient?: (o: ScoringClientOptions) => ScoringClient;
}): Prober {
  const make = o.scoringClient ?? ((c: ScoringClientOptions) => new ScoringClient(c));
  return {
    async sample(deployment: string): Promise<DeploymentSample> {
      const client = make({
        url: new URL(o.scoringUri),
        headers: { Authorization: `Bearer ${o.credential}`, [DEPLOYMENT_HEADER]: deployment },
        timeoutMs: o.settings.requestTimeoutMs,
        maxSockets: o.settings.concurrency,
        agentHttp: o.agentHttp,
      });
      const started = Date.now();
      try {
        const answers = await runLoad(client, { requests: o.settings.payloads.length, concurrency: 1, payloads: o.settings.payloads, keepBodies: true, ...(o.signal ? { signal: o.signal } : {}) });
        const load = await runLoad(client, { requests: o.settings.requestCount, concurrency: o.settings.concurrency, payloads: o.settings.payloads, ...(o.signal ? { signal: o.signal } : {}) });
        return { answers: answers.results, load, seconds: (Date.now() - started) / 1000 };
      } finally {
        client.close();
      }
    },
  };
}
