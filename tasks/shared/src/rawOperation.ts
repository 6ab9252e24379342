// An ARM long-running operation started with a raw request (an api-version the SDK clients lack), shaped as
// the SDK's poller so beginOperation/followOperation follow it like any other: the first reply's
// Azure-AsyncOperation (else Location) URL is polled on ARM's origin only; its `status` is InProgress,
// Succeeded, Failed or Canceled with `error: { code, message }` (ARM's async-operation contract,
// https://github.com/Azure/azure-resource-manager-rpc/blob/master/v1.0/async-api-reference.md).
import type { ArmPipeline } from './armPipeline';
import type { SdkPoller } from './armOperation';

interface OperationStatus {
  status?: string;
  error?: { code?: string; message?: string };
}

/** What one request of the operation was (counted by tests and the bench). */
export type RawOperationStep = 'start' | 'poll';

/** Sends the request; the returned poller follows it. A rejected request is the pipeline's RestError. */
export async function beginRawOperation(arm: ArmPipeline, method: string, path: string, apiVersion: string, body?: unknown): Promise<SdkPoller> {
  const first = await arm.response<unknown>(method, path, apiVersion, body);
  const header = (name: string): string | undefined => Object.entries(first.headers).find(([k]) => k.toLowerCase() === name)?.[1];
  const statusUrl = header('azure-asyncoperation');
  const locationUrl = statusUrl ? undefined : header('location');
  let state: { status: string; error?: Error } = statusUrl || (locationUrl && first.status === 202) ? { status: 'running' } : { status: 'succeeded' };
  // the reply to the request is the first status: the first poll sends nothing (no read right after the write)
  let answered = true;
  return {
    isDone: () => state.status !== 'running',
    getOperationState: () => state,
    async poll(o?: { abortSignal?: AbortSignal }): Promise<void> {
      if (state.status !== 'running') return;
      if (answered) {
        answered = false;
        return;
      }
      if (statusUrl) {
        const s = (await arm.response<OperationStatus>('GET', statusUrl, '', undefined, o)).body ?? {};
        const v = String(s.status ?? '').toLowerCase();
        if (v === 'succeeded') state = { status: 'succeeded' };
        else if (v === 'failed' || v === 'canceled' || v === 'cancelled') {
          const text = [s.error?.code, s.error?.message].filter(Boolean).join('. ');
          state = { status: v === 'failed' ? 'failed' : 'canceled', ...(text ? { error: new Error(text) } : {}) };
        }
        return;
      }
      // Location: 202 while running, 200/204 when done (a failure comes back as an HTTP error)
      const r = await arm.response<unknown>('GET', locationUrl as string, '', undefined, o);
      if (r.status !== 202) state = { status: 'succeeded' };
    },
  };
}
