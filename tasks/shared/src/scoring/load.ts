// The load engine: `requests` requests with at most `concurrency` in flight, each worker taking the
// next request number as soon as its previous one finished (closed loop, like autocannon).
import { Exchange, ScoringClient } from './client';

export interface RequestResult {
  /** Request number in this phase (0-based). */
  index: number;
  /** Which payload was sent: index modulo the number of payloads (payloads are cycled). */
  payloadIndex: number;
  status?: number;
  error?: string;
  latencyMs: number;
  /** Kept only when asked for (answer checks); the load phase drops bodies to stay small. */
  body?: Buffer;
}

export interface LoadRun {
  results: RequestResult[];
  /** Wall-clock time from the first request sent to the last response read. */
  wallMs: number;
}

export interface LoadOptions {
  requests: number;
  concurrency: number;
  payloads: readonly Buffer[];
  keepBodies?: boolean;
  signal?: AbortSignal;
  /** Called after each completed request with the number completed so far. */
  onProgress?: (completed: number) => void;
}

export async function runLoad(client: ScoringClient, o: LoadOptions): Promise<LoadRun> {
  const results: RequestResult[] = new Array<RequestResult>(o.requests);
  let next = 0;
  let completed = 0;
  const start = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < o.requests && !o.signal?.aborted) {
      const index = next++;
      const payloadIndex = index % o.payloads.length;
      const e: Exchange = await client.score(o.payloads[payloadIndex], o.signal);
      results[index] = {
        index,
        payloadIndex,
        status: e.status,
        error: e.error,
        latencyMs: e.latencyMs,
        ...(o.keepBodies ? { body: e.body } : {}),
      };
      completed++;
      o.onProgress?.(completed);
    }
  };
  const workers = Math.max(1, Math.min(o.concurrency, o.requests));
  await Promise.all(Array.from({ length: workers }, () => worker()));
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  return { results: results.filter((r) => r !== undefined), wallMs };
}

/** A request failed when no response arrived, or its status differs from the expected one. */
export function isError(r: RequestResult, expectedStatus: number): boolean {
  return r.error !== undefined || r.status !== expectedStatus;
}

/** Counts of what went wrong, e.g. "500 x3, timeout x1" (for one-line messages). */
export function outcomeCounts(results: readonly RequestResult[], expectedStatus: number): string {
  const counts = new Map<string, number>();
  for (const r of results) {
    if (!isError(r, expectedStatus)) continue;
    const k = r.error ?? `HTTP ${r.status}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} x${n}`).join(', ');
}
