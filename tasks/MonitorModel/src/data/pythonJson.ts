// Python's json module writes NaN, Infinity and -Infinity (allow_nan=True is its default), which JSON.parse
// refuses. Collected data comes from Python scoring scripts, so a line that fails to parse is retried with
// those bare tokens (outside strings) turned into the strings "NaN"/"Infinity"/"-Infinity", which the
// profile then counts as NaN or reads as ±Infinity, instead of losing the whole line.

const TOKENS = ['-Infinity', 'Infinity', 'NaN'];

/** JSON.parse, accepting Python's non-finite number tokens. Throws JSON.parse's error when still invalid. */
export function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
    return JSON.parse(quoteNonFinite(text));
  }
}

function quoteNonFinite(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') { out += text[i + 1] ?? ''; i++; } else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') { inString = true; out += c; continue; }
    const token = TOKENS.find((t) => text.startsWith(t, i));
    if (token) { out += `"${token}"`; i += token.length - 1; continue; }
    out += c;
  }
  return out;
}
