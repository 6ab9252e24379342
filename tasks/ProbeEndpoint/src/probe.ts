// The probe's phases against one candidate endpoint (and optionally a baseline): readiness, warm-up,
// one request per payload (status and answers), the measured load, then the same for the baseline.
import * as tl from 'azure-pipelines-task-lib/task';
import { AgentHttp } from '../../shared/src/http';
import { agreement, Bounds, Check, evaluate, measure, Measurement, Observations } from './checks';
import { ScoringClient, type ScoringClientOptions } from './client';
import { isError, runLoad, RequestResult } from './load';
import { showUrl } from './inputs';
import { waitForReadiness } from './readiness';

export interface ProbePlan {
  scoringUrl: URL;
  headers: Record<string, string>;
  /** The headers without the scoring key, when a key is in use: one request with them must be refused (401). */
  headersWithoutKey?: Record<string, string>;
  baseline?: { url: URL; headers: Record<string, string> };
  payloads: readonly unknown[];
  readinessTimeoutSeconds: number;
  warmupRequests: number;
  requestCount: number;
  concurrency: number;
  requestTimeoutSeconds: number;
  bounds: Bounds;
}

export interface ProbeResult {
  observations: Observations;
  checks: Check[];
  passed: boolean;
}

export interface ProbeOptions {
  agentHttp?: AgentHttp;
  /** Makes the client for one endpoint (default: the real ScoringClient; the L0 tests inject a fake). */
  scoringClient?: (o: ScoringClientOptions) => ScoringClient;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

function client(url: URL, headers: Record<string, string>, plan: ProbePlan, o: ProbeOptions): ScoringClient {
  const co: ScoringClientOptions = { url, headers, timeoutMs: plan.requestTimeoutSeconds * 1000, maxSockets: plan.concurrency, agentHttp: o.agentHttp };
  return o.scoringClient ? o.scoringClient(co) : new ScoringClient(co);
}

function progress(log: (l: string) => void, total: number): (done: number) => void {
  const step = Math.max(1, Math.ceil(total / 10));
  const start = process.hrtime.bigint();
  return (done) => {
    if (done % step === 0 || done === total) log(`  ${done}/${total} requests (${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(1)} s)`);
  };
}

/** Answers (each payload once, bodies kept) and the measured load against one endpoint. */
async function exercise(c: ScoringClient, plan: ProbePlan, bodies: Buffer[], o: ProbeOptions & { log: (l: string) => void }): Promise<{ answers: RequestResult[]; answerSeconds: number; load: Measurement }> {
  if (plan.warmupRequests > 0) {
    o.log(tl.loc('WarmingUp', plan.warmupRequests));
    const w = await runLoad(c, { requests: plan.warmupRequests, concurrency: plan.concurrency, payloads: bodies, signal: o.signal });
    const failed = w.results.filter((r) => isError(r, plan.bounds.expectedStatus)).length;
    o.log(`  warm-up done in ${(w.wallMs / 1000).toFixed(1)} s${failed ? `, ${failed} failed (not counted)` : ''}`);
  }
  o.log(tl.loc('CheckingAnswers', bodies.length));
  const a = await runLoad(c, { requests: bodies.length, concurrency: Math.min(plan.concurrency, bodies.length), payloads: bodies, keepBodies: true, signal: o.signal });
  o.log(tl.loc('Measuring', plan.requestCount, plan.concurrency));
  const run = await runLoad(c, { requests: plan.requestCount, concurrency: plan.concurrency, payloads: bodies, signal: o.signal, onProgress: progress(o.log, plan.requestCount) });
  return { answers: a.results, answerSeconds: a.wallMs / 1000, load: measure(run, plan.bounds.expectedStatus) };
}

/** One scoring request without the key, on a connection of its own (the candidate's keep the key). */
async function withoutKey(plan: ProbePlan, headers: Record<string, string>, body: Buffer, o: ProbeOptions): Promise<NonNullable<Observations['withoutKey']>> {
  const c = client(plan.scoringUrl, headers, { ...plan, concurrency: 1 }, o);
  try {
    const e = await c.score(body, o.signal);
    return { ...(e.status !== undefined ? { status: e.status } : {}), ...(e.error ? { error: e.error } : {}), seconds: e.latencyMs / 1000 };
  } finally {
    c.close();
  }
}

export async function probe(plan: ProbePlan, o: ProbeOptions = {}): Promise<ProbeResult> {
  const log = o.log ?? ((l: string) => console.log(l));
  const bodies = plan.payloads.map((p) => Buffer.from(JSON.stringify(p), 'utf8'));
  const candidate = client(plan.scoringUrl, plan.headers, plan, o);
  const liveness = showUrl(new URL('/', plan.scoringUrl));
  const observations: Observations = { liveness, readiness: { outcome: 'skipped', last: '', elapsedMs: 0 }, keyInUse: !!plan.headersWithoutKey };
  try {
    log(tl.loc('WaitingForReadiness', plan.readinessTimeoutSeconds, liveness));
    observations.readiness = await waitForReadiness(candidate, { timeoutMs: plan.readinessTimeoutSeconds * 1000, signal: o.signal, log });
    if (observations.readiness.outcome === 'ready') log(tl.loc('Ready', observations.readiness.last, `${(observations.readiness.elapsedMs / 1000).toFixed(1)} s`));
    if (observations.readiness.outcome === 'ready' || observations.readiness.outcome === 'skipped') {
      if (plan.headersWithoutKey && bodies.length > 0) observations.withoutKey = await withoutKey(plan, plan.headersWithoutKey, bodies[0], o);
      const c = await exercise(candidate, plan, bodies, { ...o, log });
      observations.answers = { results: c.answers, seconds: c.answerSeconds };
      observations.load = c.load;
      if (plan.baseline) {
        log(tl.loc('MeasuringBaseline', showUrl(plan.baseline.url)));
        const baseline = client(plan.baseline.url, plan.baseline.headers, plan, o);
        try {
          const b = await exercise(baseline, plan, bodies, { ...o, log });
          observations.baseline = {
            answers: b.answers,
            load: b.load,
            agreement: agreement(c.answers, b.answers, plan.bounds.expectedStatus, plan.bounds.tolerance),
            seconds: b.answerSeconds,
          };
        } finally {
          baseline.close();
        }
      }
    }
  } finally {
    candidate.close();
  }
  const checks = evaluate(plan.bounds, observations);
  return { observations, checks, passed: checks.every((c) => c.outcome !== 'failed') };
}
