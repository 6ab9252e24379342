// The `headers` input: one header per line, `Name: value` or `Name=value`. Values may be secrets
// (API keys, tokens), so error messages name the line and the header name, never the value.
import { InputError, quote } from '../../shared/src/inputs';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// set by the HTTP client itself: a user value would break framing or keep-alive
const MANAGED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer']);

// headers whose values describe the request, never a credential: every other value is masked
const NOT_SECRET = new Set(['accept', 'accept-encoding', 'accept-language', 'content-type', 'user-agent', 'azureml-model-deployment', 'x-ms-client-request-id']);

/** The header values that may be credentials (an API key, a token, a cookie): all but the plainly descriptive ones. */
export function secretHeaderValues(headers: Record<string, string>): string[] {
  return Object.entries(headers).filter(([name]) => !NOT_SECRET.has(name.toLowerCase())).map(([, value]) => value);
}

export function parseHeaderLines(inputName: string, text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  if (!text) return out;
  text.split(/\r?\n/).forEach((raw, idx) => {
    const n = idx + 1;
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const eq = line.indexOf('=');
    const cut = colon < 0 ? eq : eq < 0 ? colon : Math.min(colon, eq);
    if (cut < 0) throw new InputError(inputName, `line ${n} has no ':' or '='`, "one 'Name: value' or 'Name=value' per line");
    const name = line.slice(0, cut).trim();
    const value = line.slice(cut + 1).trim();
    if (!TOKEN.test(name)) throw new InputError(inputName, `line ${n}: ${quote(name)} is not a valid header name`, 'letters, digits and !#$%&\'*+.^_`|~- only');
    const lower = name.toLowerCase();
    if (MANAGED.has(lower)) throw new InputError(inputName, `line ${n}: header '${name}' is set by the task itself`, 'other headers');
    if (seen.has(lower)) throw new InputError(inputName, `line ${n}: header '${name}' is repeated`, 'each header once');
    if (value.length === 0) throw new InputError(inputName, `line ${n}: header '${name}' has an empty value`, 'a non-empty value');
    seen.add(lower);
    out[name] = value;
  });
  return out;
}
