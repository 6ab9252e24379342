// The rollout state machine. Pure: given the endpoint's traffic maps, green's name and the plan, it says
// what to do next; the task applies it (a PUT of the endpoint with the target maps), probes, and asks
// again. A re-run reads the endpoint and continues from the step it shows instead of starting over.
import { describeStep, RolloutStep } from './rolloutSteps';
import { blueOf, EndpointTraffic, liveShare, mirrorShare, TrafficStateError } from './traffic';

export type RolloutAction =
  /** Apply step `index` (set `target`), then check it. */
  | { kind: 'apply'; index: number; step: RolloutStep; blue: string; target: EndpointTraffic }
  /** The endpoint already shows step `index` (a run stopped after applying it): check it again, then go on. */
  | { kind: 'check'; index: number; step: RolloutStep; blue: string }
  /** No other deployment serves: nothing to compare with, green takes all traffic once its own probe passes. */
  | { kind: 'first'; target: EndpointTraffic }
  /** Green serves all live traffic and nothing is mirrored. */
  | { kind: 'done'; blue?: string };

export interface RolloutPlan {
  green: string;
  steps: readonly RolloutStep[];
}

/** The traffic maps of a step: live shares on blue and green, or blue serving and a share mirrored to green. */
export function stepTarget(step: RolloutStep, blue: string, green: string): EndpointTraffic {
  if (step.kind === 'mirror') return { traffic: { [blue]: 100, [green]: 0 }, mirrorTraffic: { [green]: step.percent } };
  return { traffic: { [blue]: 100 - step.percent, [green]: step.percent }, mirrorTraffic: {} };
}

/** Where a failed step or a cancel goes: all live traffic back on blue, nothing mirrored. */
export function rollbackTarget(t: EndpointTraffic, green: string, blue?: string): EndpointTraffic {
  const b = blue ?? blueOf(t, green);
  if (!b) return { traffic: { [green]: 0 }, mirrorTraffic: {} };
  return { traffic: { [b]: 100, [green]: 0 }, mirrorTraffic: {} };
}

/** True when the endpoint shows exactly what the step sets for green. */
function shows(t: EndpointTraffic, step: RolloutStep, green: string): boolean {
  const live = liveShare(t, green);
  const mirror = mirrorShare(t, green);
  return step.kind === 'mirror' ? live === 0 && mirror === step.percent : live === step.percent && mirror === 0;
}

/** True when the endpoint is at or past the step (green's live share only grows; mirroring precedes it). */
function reached(t: EndpointTraffic, step: RolloutStep, green: string): boolean {
  const live = liveShare(t, green);
  return step.kind === 'mirror' ? live > 0 || mirrorShare(t, green) >= step.percent : live >= step.percent;
}

export interface RunProgress {
  /** The deployment that served before this rollout, when the run already knows it (its first read). */
  blue?: string;
  /** Index of the last step this run applied or re-checked and found good. */
  checked?: number;
}

/** The next action for the endpoint's traffic maps, the plan, and what this run has already done. */
export function nextAction(t: EndpointTraffic, plan: RolloutPlan, progress: RunProgress = {}): RolloutAction {
  const { green, steps } = plan;
  const live = liveShare(t, green);
  const mirror = mirrorShare(t, green);
  const blue = progress.blue ?? blueOf(t, green);
  if (live === 100 && mirror === 0) return { kind: 'done', ...(blue ? { blue } : {}) };
  if (!blue) {
    if (live > 0) throw new TrafficStateError(`'${green}' serves ${live} % of live traffic and no other deployment serves the rest.`);
    return { kind: 'first', target: { traffic: { [green]: 100 }, mirrorTraffic: {} } };
  }
  let last = -1;
  for (let i = 0; i < steps.length; i++) if (reached(t, steps[i], green)) last = i;
  const checkedHere = progress.checked !== undefined && last <= progress.checked;
  if (last >= 0 && shows(t, steps[last], green) && !checkedHere) return { kind: 'check', index: last, step: steps[last], blue };
  const index = last + 1;
  if (index >= steps.length) {
    // Past the plan's last step without being 'done' cannot happen with a plan that ends at live 100.
    throw new TrafficStateError(`The endpoint is past the last rollout step (${describeStep(steps[steps.length - 1])}) but green does not serve all traffic.`);
  }
  return { kind: 'apply', index, step: steps[index], blue, target: stepTarget(steps[index], blue, green) };
}
