// What the classic editor does to fill a pick list from a task.json `dataSourceBindings` entry,
// reduced to the parts our task.json files use: render the endpoint URL (mustache endpoint fields
// and $(input) macros), GET it with the service connection's bearer token, select items with a
// JSONPath (`resultSelector`), and turn each into { Value, DisplayValue } with `resultTemplate`.

export interface DataSourceBinding {
  target: string; endpointId?: string; dataSourceName?: string; endpointUrl?: string;
  resultSelector?: string; resultTemplate?: string; parameters?: Record<string, string>;
  callbackContextTemplate?: string; callbackRequiredTemplate?: string; initialContextTemplate?: string;
}
export interface PickListItem { Value: string; DisplayValue: string }

/**
 * Built-in data sources of the AzureRM service endpoint type that our tasks use. The server
 * defines them (Azure DevOps' AzureRM endpoint contribution); this is the ARM request they make.
 */
export const BUILT_IN_DATA_SOURCES: Record<string, Pick<DataSourceBinding, 'endpointUrl' | 'resultSelector' | 'resultTemplate'>> = {
  AzureResourceGroups: {
    endpointUrl: '{{{endpoint.url}}}subscriptions/{{{endpoint.subscriptionId}}}/resourcegroups?api-version=2021-04-01',
    resultSelector: 'jsonpath:$.value[*].name',
  },
};

/** Resolves the built-in data source a binding names, or returns the binding as it is. */
export function effectiveBinding(b: DataSourceBinding): DataSourceBinding {
  if (!b.dataSourceName) return b;
  const builtIn = BUILT_IN_DATA_SOURCES[b.dataSourceName];
  if (!builtIn) throw new Error(`data source '${b.dataSourceName}' (target ${b.target}) is not a known built-in data source`);
  return { ...b, ...builtIn, resultTemplate: b.resultTemplate ?? builtIn.resultTemplate };
}

/** `$(name)` macros in a URL, in order. */
export function macroNames(text: string): string[] {
  return [...text.matchAll(/\$\(([^)]+)\)/g)].map((m) => m[1]);
}

function lookupPath(scope: unknown, dotted: string): unknown {
  let cur: unknown = scope;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const htmlEscape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const jsonStringBody = (s: string): string => JSON.stringify(s).slice(1, -1);

/**
 * Mustache subset: `{{{a.b}}}` (raw), `{{a.b}}` (HTML-escaped), and the server's helper
 * `{{#extractResource id resourcegroups}}` (the segment after `resourcegroups` in an ARM id).
 * `jsonSafe` escapes substituted values for a JSON string context (the resultTemplate is JSON).
 */
export function renderMustache(template: string, scope: unknown, o: { jsonSafe?: boolean } = {}): string {
  const fmt = (v: unknown): string => {
    const s = v === undefined || v === null ? '' : String(v);
    return o.jsonSafe ? jsonStringBody(s) : s;
  };
  return template
    .replace(/\{\{#extractResource\s+([\w.]+)\s+(\w+)\s*\}\}/g, (_, p: string, kind: string) => {
      const parts = String(lookupPath(scope, p) ?? '').split('/');
      const i = parts.findIndex((x) => x.toLowerCase() === kind.toLowerCase());
      return fmt(i >= 0 ? parts[i + 1] : '');
    })
    .replace(/\{\{\{\s*([\w.]+)\s*\}\}\}/g, (_, p: string) => fmt(lookupPath(scope, p)))
    .replace(/\{\{(?![#/{])\s*([\w.]+)\s*\}\}/g, (_, p: string) => fmt(htmlEscape(String(lookupPath(scope, p) ?? ''))))
    .replace(/\{\{[#/][^}]*\}\}/g, (m) => { throw new Error(`unsupported mustache block '${m}'`); });
}

/** Renders an endpoint URL: mustache endpoint fields, then `$(input)` macros from the given input values. */
export function renderEndpointUrl(url: string, endpoint: { url: string; subscriptionId: string }, inputs: Record<string, string>): string {
  const withEndpoint = renderMustache(url, { endpoint });
  return withEndpoint.replace(/\$\(([^)]+)\)/g, (_, name: string) => {
    const v = inputs[name];
    if (v === undefined) throw new Error(`endpointUrl uses $(${name}) but no value was given for it`);
    return encodeURIComponent(v);
  });
}

/**
 * JSONPath subset: `$`, `.name`, `['name']`, `[*]`, `.*`, `[n]`, and `[?(@.a.b == 'v')]` / `!=`.
 * Returns every match, in document order.
 */
export function jsonPath(doc: unknown, expr: string): unknown[] {
  const e = expr.trim();
  if (!e.startsWith('$')) throw new Error(`JSONPath '${expr}' must start with $`);
  const tokens: string[] = [];
  const re = /\.\*|\.([A-Za-z_$][\w$-]*)|\[\*\]|\[(\d+)\]|\['([^']*)'\]|\[\?\(@\.([\w.]+)\s*(==|!=)\s*'([^']*)'\)\]/y;
  re.lastIndex = 1;
  const steps: ((n: unknown) => unknown[])[] = [];
  while (re.lastIndex < e.length) {
    const start = re.lastIndex;
    const m = re.exec(e);
    if (!m) throw new Error(`unsupported JSONPath '${expr}' at '${e.slice(start)}'`);
    tokens.push(m[0]);
    const children = (n: unknown): unknown[] => (Array.isArray(n) ? n : n && typeof n === 'object' ? Object.values(n) : []);
    if (m[0] === '.*' || m[0] === '[*]') steps.push(children);
    else if (m[1] !== undefined || m[3] !== undefined) {
      const key = m[1] ?? m[3];
      steps.push((n) => (n && typeof n === 'object' && !Array.isArray(n) && key in (n as object) ? [(n as Record<string, unknown>)[key]] : []));
    } else if (m[2] !== undefined) {
      const i = Number(m[2]);
      steps.push((n) => (Array.isArray(n) && i < n.length ? [n[i]] : []));
    } else {
      const [, , , , p, op, v] = m;
      steps.push((n) => children(n).filter((c) => (String(lookupPath(c, p)) === v) === (op === '==')));
    }
  }
  return steps.reduce<unknown[]>((nodes, step) => nodes.flatMap(step), [doc]);
}

/** Applies `resultSelector` and `resultTemplate` to one response body. */
export function pickListItems(binding: DataSourceBinding, body: unknown): PickListItem[] {
  const selector = binding.resultSelector ?? 'jsonpath:$';
  if (!selector.startsWith('jsonpath:')) throw new Error(`resultSelector '${selector}' is not jsonpath:`);
  const selected = jsonPath(body, selector.slice('jsonpath:'.length));
  return selected.map((item) => {
    if (!binding.resultTemplate) {
      if (typeof item !== 'string' && typeof item !== 'number') {
        throw new Error(`target ${binding.target}: resultSelector selects objects but there is no resultTemplate`);
      }
      return { Value: String(item), DisplayValue: String(item) };
    }
    const rendered = renderMustache(binding.resultTemplate, item, { jsonSafe: true });
    const parsed = JSON.parse(rendered) as Partial<PickListItem>;
    if (typeof parsed.Value !== 'string') throw new Error(`target ${binding.target}: resultTemplate gives no "Value": ${rendered}`);
    return { Value: parsed.Value, DisplayValue: parsed.DisplayValue ?? parsed.Value };
  });
}
