// Plain-line progress output: collapsible groups, aligned tables and remote text that cannot
// inject ##vso commands.
import * as tl from 'azure-pipelines-task-lib/task';

/** Runs fn inside a collapsible ##[group] section; the group is closed even when fn throws. */
export async function group<T>(title: string, fn: () => Promise<T>): Promise<T> {
  console.log(`##[group]${oneLine(title)}`);
  try {
    return await fn();
  } finally {
    console.log('##[endgroup]');
  }
}

function oneLine(s: string): string {
  return s.replace(/\r?\n/g, ' ');
}

/** Formats an aligned plain-text table (exported for tests and for callers that collect text). */
export function formatTable(headers: string[], rows: string[][]): string {
  const cells = [headers, ...rows].map((r) => headers.map((_, i) => oneLine(r[i] ?? '')));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function printTable(headers: string[], rows: string[][]): void {
  console.log(formatTable(headers, rows));
}

/** Prints text from a remote source (job or container logs): '##vso[' markers are neutralised by task-lib. */
export function printUntrusted(text: string): void {
  tl.writeExternalOutput(text.endsWith('\n') ? text : text + '\n', { source: 'remote' });
}
