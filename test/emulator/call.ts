// Raw HTTPS calls to the emulator for its own tests (no SDK in between, so a test sees exactly what the wire
// carries): one request with an optional bearer token and body, the reply as status, headers, text and JSON.
import * as https from 'https';
import type { Emulator } from './index';

export interface Reply { status: number; headers: Record<string, string | string[] | undefined>; text: string; json: any }

/** A string body goes as it is, anything else as JSON; content-type application/json unless `headers` names one. */
export function call(emu: Emulator, method: string, url: string, o: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (body !== undefined) {
      headers['content-type'] = headers['content-type'] ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const req = https.request(url, { method, headers, ca: emu.caPem }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** An ARM token of the spnSecret identity (another audience or lifetime on request). */
export function armToken(emu: Emulator, o: { expiresInSeconds?: number; audience?: string } = {}): string {
  return emu.issueToken({ audience: o.audience ?? 'https://management.azure.com/', appId: emu.identities.spnSecret.clientId, expiresInSeconds: o.expiresInSeconds });
}

/** A call with a fresh ARM token. */
export function armCall(emu: Emulator, method: string, url: string, body?: unknown): Promise<Reply> {
  return call(emu, method, url, { token: armToken(emu), body });
}

/** The ARM id of the workspace every emulator has (rg-ml/mlw). */
export function workspaceId(emu: Emulator): string {
  return `/subscriptions/${emu.identities.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw`;
}
