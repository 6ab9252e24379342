// The verdict: one check per bound, each passed / failed / skipped with a one-line detail; a failed
// check carries the line the log and the task result show (what broke, with the numbers).
import * as tl from 'azure-pipelines-task-lib/task';
import { Difference, firstDifference, responseValue } from './compare';
import { isError, LoadRun, outcomeCounts, RequestResult } from './load';
import { Readiness } from './readiness';
import { formatMs, formatRatio, LatencyStats, latencyStats } from './stats';

export type CheckName = 'readiness' | 'authentication' | 'status' | 'correctness' | 'latency p95' | 'error rate' | 'agreement';

export interface Check {
  name: CheckName;
  outcome: 'passed' | 'failed' | 'skipped';
  detail: string;
  /** Seconds the check's phase took (JUnit `time`). */
  seconds: number;
}

/** The measured phase of one endpoint. */
export interface Measurement {
  run: LoadRun;
  stats: LatencyStats;
  errors: number;
  errorRate: number;
  requestsPerSecond: number;
}

export interface Agreement {
  matched: number;
  total: number;
  ratio: number;
  first?: { payload: number; difference: Difference };
}

export interface Bounds {
  expectedStatus: number;
  tolerance: number;
  expectedResponses?: readonly unknown[];
  maxLatencyP95Ms?: number;
  maxErrorRate: number;
  minAgreement?: number;
  readinessTimeoutSeconds: number;
}

export interface Observations {
  liveness: string;
  readiness: Readiness;
  /**
   * A scoring key is sent: the endpoint must refuse a request without it. Undefined: no authentication check
   * (DeployOnlineEndpoint's step checks, where Azure ML's front door does the key check).
   */
  keyInUse?: boolean;
  /** The answer to one scoring request sent without the key (only with keyInUse, once the endpoint is ready). */
  withoutKey?: { status?: number; error?: string; seconds: number };
  /** Each payload sent once, bodies kept (status and correctness). */
  answers?: { results: RequestResult[]; seconds: number };
  load?: Measurement;
  baseline?: { answers: RequestResult[]; load: Measurement; agreement: Agreement; seconds: number };
}

export function measure(run: LoadRun, expectedStatus: number): Measurement {
  const errors = run.results.filter((r) => isError(r, expectedStatus)).length;
  return {
    run,
    stats: latencyStats(run.results.map((r) => r.latencyMs)),
    errors,
    errorRate: run.results.length ? errors / run.results.length : 0,
    requestsPerSecond: run.wallMs > 0 ? run.results.length / (run.wallMs / 1000) : 0,
  };
}

/** Fraction of payloads whose candidate and baseline answers both have the expected status and match within tolerance. */
export function agreement(candidate: readonly RequestResult[], baseline: readonly RequestResult[], expectedStatus: number, tolerance: number): Agreement {
  const byPayload = new Map(baseline.map((r) => [r.payloadIndex, r]));
  let matched = 0;
  let first: Agreement['first'];
  for (const c of candidate) {
    const b = byPayload.get(c.payloadIndex);
    let d: Difference | undefined;
    if (!b || isError(b, expectedStatus)) d = { path: '$', expected: `baseline ${b?.error ?? `HTTP ${b?.status}`}`, actual: 'not compared' };
    else if (isError(c, expectedStatus)) d = { path: '$', expected: 'an answer', actual: c.error ?? `HTTP ${c.status}` };
    else {
      const expected = responseValue(b.body, {});
      d = firstDifference(responseValue(c.body, expected), expected, tolerance);
    }
    if (!d) matched++;
    else if (!first) first = { payload: c.payloadIndex + 1, difference: d };
  }
  const total = candidate.length;
  return { matched, total, ratio: total ? matched / total : 0, ...(first ? { first } : {}) };
}

function notRun(name: CheckName, why: string): Check {
  return { name, outcome: 'skipped', detail: why, seconds: 0 };
}

/**
 * A key that is sent but not checked protects nothing: an endpoint with a key must answer 401 to a request
 * without it (the scoring server does; a custom image that ignores SCORING_KEY answers 200).
 */
function authentication(o: Observations, why: string): Check {
  if (!o.keyInUse) return notRun('authentication', 'no scoring key in use');
  const w = o.withoutKey;
  if (!w) return notRun('authentication', why);
  const got = w.status !== undefined ? `HTTP ${w.status}` : (w.error ?? 'no answer');
  if (w.status === 401) return { name: 'authentication', outcome: 'passed', detail: 'a scoring request without the key was refused (HTTP 401)', seconds: w.seconds };
  const detail = w.status !== undefined && w.status >= 200 && w.status < 300
    ? `the endpoint answered ${got} to a scoring request without the key: it does not check the key (a custom image that ignores SCORING_KEY?)`
    : `a scoring request without the key got ${got}, expected HTTP 401`;
  return { name: 'authentication', outcome: 'failed', detail, seconds: w.seconds };
}

export function evaluate(b: Bounds, o: Observations): Check[] {
  const checks: Check[] = [];
  const r = o.readiness;
  const readySeconds = r.elapsedMs / 1000;
  if (r.outcome === 'ready') checks.push({ name: 'readiness', outcome: 'passed', detail: `liveness answered ${r.last} after ${readySeconds.toFixed(1)} s`, seconds: readySeconds });
  else if (r.outcome === 'skipped') checks.push(notRun('readiness', r.last));
  else if (r.outcome === 'unauthorized') checks.push({ name: 'readiness', outcome: 'failed', detail: tl.loc('ReadinessUnauthorized', o.liveness, r.last), seconds: readySeconds });
  else checks.push({ name: 'readiness', outcome: 'failed', detail: tl.loc('ReadinessTimedOut', o.liveness, b.readinessTimeoutSeconds, r.last), seconds: readySeconds });

  const why = 'not run: the endpoint was not ready';
  if (o.keyInUse !== undefined) checks.push(authentication(o, why));
  if (!o.answers) {
    checks.push(notRun('status', why), notRun('correctness', why));
  } else {
    const answers = o.answers.results;
    const seconds = o.answers.seconds;
    const bad = answers.filter((a) => isError(a, b.expectedStatus));
    if (bad.length === 0) checks.push({ name: 'status', outcome: 'passed', detail: `${answers.length} payload(s) answered ${b.expectedStatus}`, seconds });
    else {
      let detail = tl.loc('StatusBroken', bad.length, answers.length, b.expectedStatus, outcomeCounts(answers, b.expectedStatus));
      if (bad.some((a) => a.status === 401 || a.status === 403)) detail += '; the endpoint refused the scoring key: check authKey (or keyVault + authKeySecret)';
      checks.push({ name: 'status', outcome: 'failed', detail, seconds });
    }
    if (!b.expectedResponses) checks.push(notRun('correctness', 'no expectedResponseFile'));
    else {
      let mismatched = 0;
      let first: { payload: number; d: Difference } | undefined;
      for (const a of answers) {
        const expected = b.expectedResponses[a.payloadIndex];
        const d = isError(a, b.expectedStatus)
          ? { path: '$', expected: `HTTP ${b.expectedStatus}`, actual: a.error ?? `HTTP ${a.status}` }
          : firstDifference(responseValue(a.body, expected), expected, b.tolerance);
        if (d) {
          mismatched++;
          if (!first) first = { payload: a.payloadIndex + 1, d };
        }
      }
      if (!first) checks.push({ name: 'correctness', outcome: 'passed', detail: `${answers.length} response(s) match within tolerance ${b.tolerance}`, seconds });
      else {
        const at = `${first.d.path}: expected ${first.d.expected}, got ${first.d.actual}`;
        checks.push({ name: 'correctness', outcome: 'failed', detail: tl.loc('CorrectnessBroken', mismatched, answers.length, b.tolerance, first.payload, at), seconds });
      }
    }
  }

  if (!o.load) {
    checks.push(notRun('latency p95', why), notRun('error rate', why));
  } else {
    const m = o.load;
    const seconds = m.run.wallMs / 1000;
    const p95 = formatMs(m.stats.p95);
    if (b.maxLatencyP95Ms === undefined) checks.push({ name: 'latency p95', outcome: 'passed', detail: `p95 ${p95} ms (no maxLatencyP95Ms bound)`, seconds });
    else if (m.stats.p95 <= b.maxLatencyP95Ms) checks.push({ name: 'latency p95', outcome: 'passed', detail: `p95 ${p95} ms <= ${b.maxLatencyP95Ms} ms`, seconds });
    else checks.push({ name: 'latency p95', outcome: 'failed', detail: tl.loc('LatencyBroken', p95, b.maxLatencyP95Ms), seconds });
    const rate = formatRatio(m.errorRate);
    if (m.errorRate <= b.maxErrorRate) checks.push({ name: 'error rate', outcome: 'passed', detail: `${rate} (${m.errors} of ${m.run.results.length}) <= ${b.maxErrorRate}`, seconds });
    else {
      const detail = tl.loc('ErrorRateBroken', rate, m.errors, m.run.results.length, outcomeCounts(m.run.results, b.expectedStatus), b.maxErrorRate);
      checks.push({ name: 'error rate', outcome: 'failed', detail, seconds });
    }
  }

  if (!o.baseline) checks.push(notRun('agreement', o.load ? 'no baselineScoringUri' : why));
  else {
    const a = o.baseline.agreement;
    const seconds = o.baseline.seconds;
    const firstText = a.first ? `; first difference: payload ${a.first.payload} at ${a.first.difference.path}: baseline ${a.first.difference.expected}, candidate ${a.first.difference.actual}` : '';
    const ratio = formatRatio(a.ratio);
    if (b.minAgreement === undefined) checks.push({ name: 'agreement', outcome: 'passed', detail: `${ratio} (${a.matched} of ${a.total}; no minAgreement bound)${firstText}`, seconds });
    else if (a.ratio >= b.minAgreement) checks.push({ name: 'agreement', outcome: 'passed', detail: `${ratio} (${a.matched} of ${a.total}) >= ${b.minAgreement}${firstText}`, seconds });
    else checks.push({ name: 'agreement', outcome: 'failed', detail: tl.loc('AgreementBroken', ratio, a.matched, a.total, b.tolerance, b.minAgreement) + firstText, seconds });
  }
  return checks;
}
