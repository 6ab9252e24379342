// A role assignment made by this run can take minutes to reach the registry ("Azure RBAC changes can take up to
// 10 minutes to take effect", learn.microsoft.com "Troubleshoot Azure RBAC"): until then ACI's pull with the new
// AcrPull is refused (401). When this run granted AcrPull and the group then failed to pull with an authorization
// error, the task deploys again after a wait, a few times and within readinessTimeoutMinutes; any other failure,
// or a pull denied while no new grant is involved, fails at once.
import type { ContainerGroup } from '@azure/arm-containerinstance';

/** Waits before the next deployment after a denied pull (the last is reused while time is left). */
export const PROPAGATION_WAITS_MS = [15_000, 30_000, 60_000, 120_000];

/** Whether the group's events say its image pull was refused for lack of authorization. */
export function pullDenied(g: ContainerGroup | undefined): boolean {
  const events = [...(g?.instanceView?.events ?? []), ...(g?.containers ?? []).flatMap((c) => c.instanceView?.events ?? [])];
  return events.some((e) => /pull/i.test(`${e.name ?? ''} ${e.message ?? ''}`) && /\b401\b|unauthori[sz]ed|failed to authorize|authentication required/i.test(e.message ?? ''));
}
