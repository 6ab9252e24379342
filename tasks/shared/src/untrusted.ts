// The one neutraliser for text that came from outside the task: Azure replies and error messages, the
// job's error, warnings and logs, metric names, model metadata, an endpoint's reply. Every such string
// passes through here before it reaches stdout (tables and summaries included: log.ts and summary.ts
// call it on every cell).
//
// Why: the agent reads a task's stdout line by line and runs `##vso[` ANYWHERE in a line as a logging
// command (`task.setvariable`, `task.complete`, `artifact.upload`, ...), and renders `##[error]`,
// `##[warning]`, `##[group]`, `##[section]` at a line's start as log formatting. The agent's line reader
// (.NET StreamReader.ReadLine) ends a line at a lone CR too, so `ok\r##[error]fake` prints a fake error
// line even though it holds no LF. task-lib's external-output filter rewrites `##vso[` only; this one
// also rewrites `##[` and treats CR, LF and every other control character, as the agent's reader would.

const MARKERS = /##(vso)?\[/gi;
// C0 controls (tab kept in multi-line text), DEL, C1 controls, and the Unicode line/paragraph separators
const CONTROLS_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const CONTROLS_KEEP_LF_TAB = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `##vso[` → `##_vso[` (task-lib's neutral form) and `##[` → `##_[`: visible, never a command or a format. */
function neutraliseMarkers(text: string): string {
  return text.replace(MARKERS, (m) => `##_${m.slice(2)}`);
}

/**
 * Text from outside, made safe for ONE log line (or a table cell): every line break (CR, LF, CRLF,
 * U+2028/2029) and other control character becomes a space, then markers are neutralised. Replacing
 * rather than deleting means no marker can be assembled from its pieces (`##\rvso[` stays apart).
 */
export function untrusted(text: string | undefined | null): string {
  if (text === undefined || text === null) return '';
  return neutraliseMarkers(String(text).replace(/\r\n/g, ' ').replace(CONTROLS_ONE_LINE, ' '));
}

/**
 * Text from outside that keeps its lines (a log tail): CRLF and lone CR become LF, other control
 * characters (tab kept) a space, and markers are neutralised on every line.
 */
export function untrustedLines(text: string | undefined | null): string {
  if (text === undefined || text === null) return '';
  return neutraliseMarkers(String(text).replace(/\r\n?/g, '\n').replace(CONTROLS_KEEP_LF_TAB, ' '));
}


/**
 * A URI for the log or a summary: neutralised, and without what may be a credential: the query string (a
 * blob URL's SAS) and user information (`https://user:password@host`) are left out, with a note instead.
 */
export function displayUri(uri: string | undefined | null): string {
  const text = untrusted(uri);
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    // not a URL: cut at the first '?' anyway (a SAS-looking tail)
    const q = text.indexOf('?');
    return q < 0 ? text : `${text.slice(0, q)}?<query hidden>`;
  }
  const hadQuery = u.search.length > 0;
  const hadUser = u.username.length > 0 || u.password.length > 0;
  if (!hadQuery && !hadUser) return text;
  u.search = '';
  u.username = '';
  u.password = '';
  return untrusted(`${u.href}${hadQuery ? '?<query hidden>' : ''}`);
}
