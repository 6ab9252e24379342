// ProbeEndpoint: is the deployed scoring endpoint ready, right and fast enough? (tasks/ProbeEndpoint/README.md)
import * as tl from 'azure-pipelines-task-lib/task';
import { agentHttp } from '../../shared/src/http';
import { cancellationSignal, failed, onCancel, runTask, succeeded } from '../../shared/src/task';
import { readInputs, showUrl } from './inputs';
import { probe } from './probe';
import { report, setOutputs } from './report';
import { requestHeaders, resolveScoringKey } from './scoringKey';

void runTask(async () => {
  const p = readInputs();
  const key = await resolveScoringKey(p.keySource);
  // nothing to undo in Azure: a cancel only stops the requests in flight (the shared signal aborts them)
  onCancel(async () => undefined, 'stop sending requests');
  const target = showUrl(p.scoringUrl);
  const result = await probe(
    {
      scoringUrl: p.scoringUrl,
      headers: requestHeaders(p.headers, key),
      ...(p.baseline ? { baseline: { url: p.baseline.url, headers: requestHeaders(p.headers, p.baseline.key) } } : {}),
      payloads: p.payloads,
      readinessTimeoutSeconds: p.readinessTimeoutSeconds,
      warmupRequests: p.warmupRequests,
      requestCount: p.requestCount,
      concurrency: p.concurrency,
      requestTimeoutSeconds: p.requestTimeoutSeconds,
      bounds: p,
    },
    { agentHttp: agentHttp(), signal: cancellationSignal() },
  );
  report({ target, result, publishTestResults: p.publishTestResults, testRunTitle: p.testRunTitle });
  setOutputs(result);
  const broken = result.checks.filter((c) => c.outcome === 'failed');
  for (const c of broken) tl.error(c.detail);
  if (broken.length > 0) return failed(tl.loc('ProbeFailed', target, broken.length, broken.map((c) => c.name).join(', ')));
  console.log(tl.loc('ProbePassed', target, result.observations.load ? result.observations.load.stats.p95.toFixed(2) : '-', result.observations.load?.errorRate ?? 0, result.observations.load?.requestsPerSecond.toFixed(1) ?? '-'));
  return succeeded();
});
