// The check after each rollout step: green (reached with the `azureml-model-deployment` header) is
// measured and compared with blue using the shared checks ProbeEndpoint uses, with the same bounds (p95, error rate,
// agreement with blue, status and expected answers) — imported, not copied, so both tasks judge alike.
import { agreement, Bounds, Check, evaluate, measure, Observations } from '../../shared/src/scoring';
import type { LoadRun, RequestResult } from '../../shared/src/scoring';

export interface DeploymentSample {
  /** Each payload sent once, bodies kept. */
  answers: RequestResult[];
  /** The measured load phase. */
  load: LoadRun;
  /** Seconds both phases took (JUnit-style timing of the checks). */
  seconds: number;
}

export interface StepVerdict {
  passed: boolean;
  checks: Check[];
  /** p95 of green and blue in ms (the summary's chart). */
  greenP95Ms: number;
  blueP95Ms: number;
  /** The first failed check's line (what the log and the task result show). */
  failure?: string;
}

/** A check's line carries text from green's replies (the first difference): no agent command may survive in it. */
export function safeLine(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/##/g, '# #');
}

/** "<check>: <detail>", without repeating the name when the detail starts with it (the shared lines do). */
function failureLine(c: Check): string {
  return safeLine(c.detail.startsWith(`${c.name}:`) ? c.detail : `${c.name}: ${c.detail}`);
}

export function judgeStep(bounds: Bounds, green: DeploymentSample, blue: DeploymentSample): StepVerdict {
  const greenLoad = measure(green.load, bounds.expectedStatus);
  const blueLoad = measure(blue.load, bounds.expectedStatus);
  const observations: Observations = {
    liveness: 'the endpoint',
    // readiness was established when the deployment provisioned; a step only judges answers and load
    readiness: { outcome: 'skipped', last: 'checked when the deployment provisioned', elapsedMs: 0 },
    answers: { results: green.answers, seconds: green.seconds },
    load: greenLoad,
    baseline: {
      answers: blue.answers,
      load: blueLoad,
      agreement: agreement(green.answers, blue.answers, bounds.expectedStatus, bounds.tolerance),
      seconds: blue.seconds,
    },
  };
  const checks = evaluate(bounds, observations);
  const failed = checks.find((c) => c.outcome === 'failed');
  return {
    passed: !failed,
    checks,
    greenP95Ms: greenLoad.stats.p95,
    blueP95Ms: blueLoad.stats.p95,
    ...(failed ? { failure: failureLine(failed) } : {}),
  };
}

/** A first deployment (nothing serves yet): green is judged on its own bounds, with nothing to agree with. */
export function judgeAlone(bounds: Bounds, green: DeploymentSample): StepVerdict {
  const greenLoad = measure(green.load, bounds.expectedStatus);
  const checks = evaluate({ ...bounds, minAgreement: undefined }, {
    liveness: 'the endpoint',
    readiness: { outcome: 'skipped', last: 'checked when the deployment provisioned', elapsedMs: 0 },
    answers: { results: green.answers, seconds: green.seconds },
    load: greenLoad,
  });
  const failed = checks.find((c) => c.outcome === 'failed');
  return { passed: !failed, checks, greenP95Ms: greenLoad.stats.p95, blueP95Ms: Number.NaN, ...(failed ? { failure: failureLine(failed) } : {}) };
}
