// Route table: host key + method + path template ('/subscriptions/{sub}/resourceGroups/{rg}', '{*rest}').
import type { HostKey, RouteHandler, RouteOptions } from './types';

export interface Route {
  host: HostKey;
  method: string;
  template: string;
  segments: string[];
  handler: RouteHandler;
  options: RouteOptions;
}

export function splitPath(p: string): string[] {
  return p.split('/').filter((s) => s.length > 0);
}

/** Host name (no port) → host key. */
export function hostKeyOf(host: string): HostKey {
  const h = host.toLowerCase();
  if (h === 'imds') return 'imds';
  if (h === 'login.localhost') return 'login';
  if (h === 'management.localhost') return 'arm';
  if (h === 'dev.azure.localhost') return 'devops';
  if (h.endsWith('.vault.localhost')) return 'vault';
  if (h.endsWith('.api.azureml.localhost')) return 'amlData';
  if (h.endsWith('.azurecr.localhost')) return 'acr';
  if (h.endsWith('.azurecontainer.localhost')) return 'aci';
  if (h.endsWith('.inference.ml.localhost')) return 'online'; // Azure ML online endpoints (aml-online.ts)
  return 'any';
}

export function matchTemplate(segments: string[], pathSegments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const t = segments[i];
    const rest = /^\{\*(\w+)\}$/.exec(t);
    if (rest) {
      params[rest[1]] = pathSegments.slice(i).map(safeDecode).join('/');
      return params;
    }
    if (i >= pathSegments.length) return undefined;
    const p = /^\{(\w+)\}$/.exec(t);
    if (p) params[p[1]] = safeDecode(pathSegments[i]);
    else if (t.toLowerCase() !== safeDecode(pathSegments[i]).toLowerCase()) return undefined;
  }
  return segments.length === pathSegments.length ? params : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export class Router {
  private readonly routes: Route[] = [];

  add(host: HostKey, method: string, template: string, handler: RouteHandler, options: RouteOptions = {}): void {
    this.routes.push({ host, method: method.toUpperCase(), template, segments: splitPath(template), handler, options });
  }

  /** First route matching host + path + method; `methodMismatch` when only the method differs. */
  find(hostKey: HostKey, method: string, path: string): { route?: Route; params?: Record<string, string>; methodMismatch: boolean } {
    const segs = splitPath(path);
    let methodMismatch = false;
    for (const r of this.routes) {
      if (r.host !== hostKey && r.host !== 'any') continue;
      const params = matchTemplate(r.segments, segs);
      if (!params) continue;
      if (r.method !== '*' && r.method !== method.toUpperCase()) {
        methodMismatch = true;
        continue;
      }
      return { route: r, params, methodMismatch: false };
    }
    return { methodMismatch };
  }
}
