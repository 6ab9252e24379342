// The rollout plan from the `rolloutSteps` input: mirror steps first (a share of live traffic copied to
// the new deployment, its replies discarded), then live-traffic steps that end at 100 %.
// Azure caps the mirrored share at 50 % of the endpoint's traffic (OnlineEndpointProperties.mirrorTraffic,
// Microsoft.MachineLearningServices 2024-04-01: "Traffic values need to sum to utmost 50").
import { InputError } from '../../shared/src/inputs';

export const DEFAULT_ROLLOUT_STEPS = 'mirror:10, 10, 50, 100';
export const MAX_MIRROR_PERCENT = 50;

export type RolloutStep =
  | { kind: 'mirror'; percent: number }
  | { kind: 'live'; percent: number };

const EXPECTED = "comma-separated percentages that increase and end at 100, mirror steps first (e.g. 'mirror:10, 10, 50, 100')";

export function describeStep(s: RolloutStep): string {
  return s.kind === 'mirror' ? `mirror ${s.percent} %` : `live ${s.percent} %`;
}

/** Parses `rolloutSteps`; every problem is one InputError naming the input and the bad item. */
export function parseRolloutSteps(text: string | undefined, input = 'rolloutSteps'): RolloutStep[] {
  const source = text === undefined || text.trim() === '' ? DEFAULT_ROLLOUT_STEPS : text;
  const items = source.split(/[,\n]/).map((s) => s.trim()).filter((s) => s.length > 0);
  const steps: RolloutStep[] = [];
  for (const item of items) {
    const m = /^(?:(mirror)\s*:\s*)?(\d+(?:\.\d+)?)\s*%?$/i.exec(item);
    if (!m) throw new InputError(input, `'${item.slice(0, 40)}' is not a step`, EXPECTED);
    const percent = Number(m[2]);
    if (!Number.isInteger(percent)) throw new InputError(input, `'${item}' is not a whole percentage (Azure takes integer traffic shares)`, EXPECTED);
    const kind = m[1] ? 'mirror' : 'live';
    if (percent < 1 || percent > 100) throw new InputError(input, `'${item}' is outside 1-100`, EXPECTED);
    if (kind === 'mirror' && percent > MAX_MIRROR_PERCENT) throw new InputError(input, `'${item}' mirrors more than ${MAX_MIRROR_PERCENT} % (Azure's limit for mirrored traffic)`, EXPECTED);
    const prev = steps[steps.length - 1];
    if (prev && prev.kind === 'live' && kind === 'mirror') throw new InputError(input, `'${item}' mirrors after live traffic already moved`, EXPECTED);
    if (prev && prev.kind === kind && percent <= prev.percent) throw new InputError(input, `steps do not increase ('${describeStep(prev)}' then '${item}')`, EXPECTED);
    steps.push({ kind, percent });
  }
  const last = steps[steps.length - 1];
  if (!last || last.kind !== 'live' || last.percent !== 100) throw new InputError(input, `the last step must move all live traffic (100), got '${last ? describeStep(last) : 'nothing'}'`, EXPECTED);
  return steps;
}
