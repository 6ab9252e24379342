// The rollout: asks the state machine (rollout.ts) what to do, applies each step as a PUT of the endpoint's
// traffic maps, probes green and blue through the front door and judges the step with the shared checks.
// A failed step, an error after traffic moved, or a pipeline cancel puts all traffic back on blue and shows
// green's logs. The endpoint's maps are the only state: a re-run continues from the step they show.
import * as tl from 'azure-pipelines-task-lib/task';
import { followOperation } from '../../shared/src/azure';
import { onCancel, TaskError, type Clock } from '../../shared/src/task';
import { trafficBody } from './deploymentBody';
import { printGreenLogs } from './greenLogs';
import type { ProbeSettings } from './inputs';
import { putEndpoint, type EndpointScope, type OnlineEndpoint } from './onlineApi';
import type { OnlineContext } from './prepare';
import { nextAction, rollbackTarget, type RolloutPlan, type RunProgress } from './rollout';
import { describeStep } from './rolloutSteps';
import { judgeAlone, judgeStep, type StepVerdict } from './stepCheck';
import type { Prober } from './stepProbe';
import { describeTraffic, liveShare, mirrorShare, type EndpointTraffic } from './traffic';

/** One row of the rollout table and chart. */
export interface StepRow {
  step: string;
  /** Green's live and mirrored share after the step. */
  greenLive: number;
  greenMirror: number;
  greenP95Ms: number;
  blueP95Ms: number;
  result: 'passed' | 'failed' | 'resumed';
  detail: string;
}

export interface RolloutResult {
  rows: StepRow[];
  blue?: string;
  /** Set when a step failed: the line the task fails with (traffic is back on blue). */
  failure?: string;
}

export interface RolloutOptions {
  ctx: OnlineContext;
  scope: EndpointScope;
  endpoint: OnlineEndpoint;
  plan: RolloutPlan;
  check: ProbeSettings;
  prober: Prober;
  stepWaitMs: number;
  pollIntervalMs: number;
  timeoutMs: number;
  abortSignal?: AbortSignal;
  clock?: Clock;
  /** Called before each traffic change with what the endpoint will show (tests, bench). */
  onTraffic?: (t: EndpointTraffic) => void;
}

const sleep = (clock: Clock | undefined, ms: number, signal?: AbortSignal): Promise<void> =>
  clock ? clock.sleep(ms, signal) : new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); reject(new Error('cancelled')); }, { once: true });
  });

export async function runRollout(o: RolloutOptions): Promise<RolloutResult> {
  const { ctx, scope, plan } = o;
  const green = plan.green;
  let endpoint = o.endpoint;
  let t: EndpointTraffic = { traffic: { ...(endpoint.properties.traffic ?? {}) }, mirrorTraffic: { ...(endpoint.properties.mirrorTraffic ?? {}) } };
  const progress: RunProgress = {};
  const rows: StepRow[] = [];

  const setTraffic = async (target: EndpointTraffic, what: string): Promise<void> => {
    o.onTraffic?.(target);
    const body = trafficBody(endpoint, target);
    const op = await putEndpoint(ctx, scope, body);
    await followOperation(op, {
      what, timeoutMs: o.timeoutMs, timeoutInput: 'provisioningTimeoutMinutes',
      initialDelayMs: Math.min(2000, o.pollIntervalMs), maxDelayMs: o.pollIntervalMs,
      ...(o.abortSignal ? { abortSignal: o.abortSignal } : {}), ...(o.clock ? { clock: o.clock } : {}),
    });
    endpoint = { ...endpoint, properties: { ...endpoint.properties, traffic: target.traffic, mirrorTraffic: target.mirrorTraffic } };
    t = target;
  };
  const greenServes = (): boolean => liveShare(t, green) > 0 || mirrorShare(t, green) > 0;
  const rollBack = async (why: string): Promise<void> => {
    const target = rollbackTarget(t, green, progress.blue);
    console.log(tl.loc('RollingBack', why, progress.blue ?? '(none)', describeTraffic(target)));
    await setTraffic(target, `rollback of online endpoint '${scope.endpoint}'`);
  };

  // On a pipeline cancel: the same rollback, started within the cancel budget (Azure completes the PUT).
  const unregister = onCancel(async () => {
    if (!greenServes() || !progress.blue) return;
    const target = rollbackTarget(t, green, progress.blue);
    const op = await putEndpoint(ctx, scope, trafficBody(endpoint, target));
    // the cancel budget is short (the agent kills the task 7.5 s after SIGINT): a few quick polls, no abort signal (it fired)
    await followOperation(op, { what: `rollback of online endpoint '${scope.endpoint}'`, timeoutMs: 3000, initialDelayMs: 250, maxDelayMs: 1000 });
    console.log(`Cancel: traffic set back on '${progress.blue}' (${describeTraffic(target)}).`);
    await printGreenLogs(ctx, scope, green);
  }, `put all traffic back on the previous deployment of endpoint '${scope.endpoint}'`);

  const row = (step: string, v: StepVerdict | undefined, result: StepRow['result'], detail: string): StepRow => ({
    step, greenLive: liveShare(t, green), greenMirror: mirrorShare(t, green), greenP95Ms: v?.greenP95Ms ?? Number.NaN, blueP95Ms: v?.blueP95Ms ?? Number.NaN, result, detail,
  });

  try {
    for (let guard = 0; guard < plan.steps.length + 3; guard++) {
      const a = nextAction(t, plan, progress);
      if (a.kind === 'done') {
        console.log(`Rollout complete: ${describeTraffic(t)}.`);
        return { rows, ...(a.blue ?? progress.blue ? { blue: a.blue ?? progress.blue } : {}) };
      }
      if (a.kind === 'first') {
        console.log(`No deployment serves on '${scope.endpoint}' yet: probing '${green}' alone, then it takes all traffic.`);
        const verdict = judgeAlone(o.check.bounds, await o.prober.sample(green));
        if (!verdict.passed) {
          rows.push(row('first deployment', verdict, 'failed', verdict.failure ?? ''));
          await printGreenLogs(ctx, scope, green);
          return { rows, failure: `Deployment '${green}' failed its probe before taking traffic: ${verdict.failure}` };
        }
        await setTraffic(a.target, `traffic of online endpoint '${scope.endpoint}'`);
        rows.push(row('live 100 % (first deployment)', verdict, 'passed', 'probe passed'));
        continue;
      }
      progress.blue = a.blue;
      const label = `Step ${a.index + 1}/${plan.steps.length} (${describeStep(a.step)})`;
      if (a.kind === 'apply') {
        console.log(tl.loc('StepApplying', label, describeTraffic(a.target)));
        await setTraffic(a.target, `traffic of online endpoint '${scope.endpoint}'`);
      } else {
        console.log(`${label}: the endpoint already shows this step (${describeTraffic(t)}); checking it again.`);
      }
      const verdict = judgeStep(o.check.bounds, await o.prober.sample(green), await o.prober.sample(a.blue));
      console.log(`${label}: green p95 ${verdict.greenP95Ms.toFixed(1)} ms, blue p95 ${verdict.blueP95Ms.toFixed(1)} ms; ${verdict.checks.filter((c) => c.outcome !== 'skipped').map((c) => `${c.name} ${c.outcome}`).join(', ')}.`);
      if (!verdict.passed) {
        rows.push(row(describeStep(a.step), verdict, 'failed', verdict.failure ?? ''));
        await rollBack(`${label} failed: ${verdict.failure}`);
        rows.push(row('rollback', undefined, 'passed', `all traffic on ${a.blue}`));
        await printGreenLogs(ctx, scope, green);
        return { rows, blue: a.blue, failure: `${label} failed: ${verdict.failure}. All traffic is back on '${a.blue}'.` };
      }
      rows.push(row(describeStep(a.step), verdict, a.kind === 'check' ? 'resumed' : 'passed', 'checks passed'));
      console.log(tl.loc('StepPassed', label));
      progress.checked = a.index;
      if (a.index < plan.steps.length - 1 && o.stepWaitMs > 0) {
        console.log(`Waiting ${(o.stepWaitMs / 1000).toFixed(0)} s (stepWaitMinutes) before the next step.`);
        await sleep(o.clock, o.stepWaitMs, o.abortSignal);
      }
    }
    throw new TaskError(`The rollout of '${green}' on '${scope.endpoint}' did not end (${describeTraffic(t)}).`);
  } catch (err) {
    // an error after traffic moved (Azure refused a step, a timeout): green stops serving before the task fails
    if (!o.abortSignal?.aborted && greenServes() && progress.blue) {
      try {
        await rollBack(`the rollout stopped: ${err instanceof Error ? err.message : String(err)}`);
        await printGreenLogs(ctx, scope, green);
      } catch (rollbackErr) {
        console.log(`The rollback failed too (${rollbackErr instanceof Error ? rollbackErr.message : String(rollbackErr)}): the endpoint shows ${describeTraffic(t)}; a re-run of this pipeline continues from there.`);
      }
    }
    throw err;
  } finally {
    unregister();
  }
}
