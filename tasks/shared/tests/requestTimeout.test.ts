import './helpers';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest, isRestError } from '@azure/core-rest-pipeline';
import { httpRequest } from '../src/http';
import { withRequestTimeout } from '../src/requestTimeout';

/** A local server whose handler decides per request: answer, trickle, or never answer. */
async function server(handler: (n: number, req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let n = 0;
  const s = http.createServer((req, res) => handler(++n, req, res));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    hits: () => n,
    close: () => new Promise<void>((r) => {
      s.closeAllConnections();
      s.close(() => r());
    }),
  };
}

describe('requestTimeout: a limit on every try of every request', function () {
  this.timeout(20000);

  it('a try that gets no reply fails with ETIMEDOUT naming only the origin', async () => {
    const srv = await server(() => undefined); // never answers
    try {
      const client = withRequestTimeout(createDefaultHttpClient(), 200);
      const started = Date.now();
      const err = await client.sendRequest(createPipelineRequest({ url: `${srv.url}/secret/path?sig=abc`, method: 'GET', allowInsecureConnection: true })).catch((e: unknown) => e);
      assert.ok(isRestError(err), String(err));
      assert.equal(err.code, 'ETIMEDOUT');
      assert.equal(err.message, `No data from ${srv.url} for 200 ms: the request timed out.`);
      assert.ok(Date.now() - started < 2000);
    } finally {
      await srv.close();
    }
  });

  it('a raw request whose first try hangs is retried and succeeds (the pipelines retry ETIMEDOUT like a reset)', async () => {
    const srv = await server((n, _req, res) => {
      if (n === 1) return; // the first try hangs
      res.writeHead(200);
      res.end('ok');
    });
    try {
      const r = await httpRequest({ userAgent: 't', requestTimeoutMs: 300 }, { method: 'GET', url: `${srv.url}/x` });
      assert.equal(r.status, 200);
      assert.equal(r.body.toString(), 'ok');
      assert.equal(srv.hits(), 2);
    } finally {
      await srv.close();
    }
  });

  it('is an inactivity limit: a slow body that keeps moving is not cut', async () => {
    const srv = await server((_n, _req, res) => {
      res.writeHead(200);
      let i = 0;
      const t = setInterval(() => {
        res.write(`${i}`);
        if (++i === 8) {
          clearInterval(t);
          res.end();
        }
      }, 100);
    });
    try {
      // 800 ms in all, never 300 ms without a byte
      const r = await httpRequest({ userAgent: 't', requestTimeoutMs: 300 }, { method: 'GET', url: `${srv.url}/slow` });
      assert.equal(r.body.toString(), '01234567');
      assert.equal(srv.hits(), 1);
    } finally {
      await srv.close();
    }
  });

  it('a streamed body that stops half-way fails instead of hanging', async () => {
    const srv = await server((_n, _req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial'); // and nothing more
    });
    try {
      const client = withRequestTimeout(createDefaultHttpClient(), 300);
      const response = await client.sendRequest(createPipelineRequest({
        url: `${srv.url}/stream`, method: 'GET', allowInsecureConnection: true, headers: createHttpHeaders(),
        streamResponseStatusCodes: new Set([Number.POSITIVE_INFINITY]),
      }));
      const stream = response.readableStreamBody as NodeJS.ReadableStream;
      const read = (async () => {
        for await (const chunk of stream) void chunk;
      })();
      await assert.rejects(read, /timed out/);
    } finally {
      await srv.close();
    }
  });

  it("the caller's own abort still wins (an AbortError, not a timeout)", async () => {
    const srv = await server(() => undefined);
    try {
      const ac = new AbortController();
      const client = withRequestTimeout(createDefaultHttpClient(), 10_000);
      setTimeout(() => ac.abort(), 50);
      const err = await client.sendRequest(createPipelineRequest({ url: srv.url, method: 'GET', allowInsecureConnection: true, abortSignal: ac.signal })).catch((e: unknown) => e);
      assert.equal((err as Error).name, 'AbortError');
    } finally {
      await srv.close();
    }
  });
});
