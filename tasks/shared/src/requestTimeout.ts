// A time limit on every try of every request (SDK clients, raw calls, blob transfers, token requests): a
// connection that stops moving bytes is dropped and the try fails with ETIMEDOUT, which the pipelines' retry
// policy treats like a reset (retried with back-off). core-rest-pipeline's own `timeout` is off by default
// (0) and, when set, is a wall-clock limit up to the response headers only; this one is an inactivity limit
// (no byte sent or received for that long) that also covers the upload and a streamed response body, so a
// large blob upload on a slow agent is not cut while a hung reply is.
import { type HttpClient, type PipelineRequest, type PipelineResponse, RestError } from '@azure/core-rest-pipeline';

/**
 * ARM answers a synchronous request within about a minute or gives up itself; Key Vault, Entra ID, the AML
 * data plane and storage (per block) are faster. Two minutes of silence is a hung connection.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

/** The message of a try that timed out (no secret: the origin only, never the path or query). */
export function timeoutMessage(url: string, timeoutMs: number): string {
  let origin = url;
  try {
    origin = new URL(url).origin;
  } catch {
    // keep it as given
  }
  const span = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`;
  return `No data from ${origin} for ${span}: the request timed out.`;
}

/** Wraps an HttpClient so each try fails with ETIMEDOUT after `timeoutMs` without a byte either way (0 = off). */
export function withRequestTimeout(inner: HttpClient, timeoutMs: number): HttpClient {
  if (!(timeoutMs > 0)) return inner;
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const outer = request.abortSignal;
      if (outer?.aborted) return inner.sendRequest(request); // the inner client throws its AbortError
      const controller = new AbortController();
      let timedOut = false;
      let timer: NodeJS.Timeout | undefined;
      let streamed: NodeJS.ReadableStream | undefined;
      const onOuterAbort = (): void => controller.abort();
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          controller.abort();
          // the body stream handed out is piped from the socket's stream, and a pipe does not pass errors on
          (streamed as { destroy?: (e: Error) => void } | undefined)?.destroy?.(new RestError(timeoutMessage(request.url, timeoutMs), { code: 'ETIMEDOUT', request }));
        }, timeoutMs);
        // a hung socket keeps the process alive, so the timer fires; an unread body the caller dropped must not
        timer.unref();
      };
      const disarm = (): void => {
        clearTimeout(timer);
        outer?.removeEventListener('abort', onOuterAbort);
      };
      outer?.addEventListener('abort', onOuterAbort, { once: true });
      const { onUploadProgress, onDownloadProgress } = request;
      request.abortSignal = controller.signal;
      // progress either way (set by the client for this purpose) restarts the clock
      request.onUploadProgress = (p) => {
        arm();
        onUploadProgress?.(p);
      };
      request.onDownloadProgress = (p) => {
        arm();
        onDownloadProgress?.(p);
      };
      arm();
      try {
        const response = await inner.sendRequest(request);
        const body = response.readableStreamBody;
        if (body) {
          streamed = body;
          // a streamed body keeps the limit until it ends (the caller reads it after this returns)
          body.once('end', disarm);
          body.once('close', disarm);
          body.once('error', disarm);
        } else {
          disarm();
        }
        return response;
      } catch (err) {
        disarm();
        if (timedOut && !outer?.aborted) throw new RestError(timeoutMessage(request.url, timeoutMs), { code: 'ETIMEDOUT', request });
        throw err;
      } finally {
        request.abortSignal = outer;
        request.onUploadProgress = onUploadProgress;
        request.onDownloadProgress = onDownloadProgress;
      }
    },
  };
}
