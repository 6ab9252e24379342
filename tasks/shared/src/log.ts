// Plain-line progress output: collapsible groups, aligned tables and remote text that cannot
// inject ##vso commands.
import * as tl from 'azure-pipelines-task-lib/task';
import { untrusted, untrustedLines } from './untrusted';

/** Runs fn inside a collapsible ##[group] section; the group is closed even when fn throws. */
export async function group<T>(title: string, fn: () => Promise<T>): Promise<T> {
  console.log(`##[group]${untrusted(title)}`);
  try {
    return await fn();
  } finally {
    console.log('##[endgroup]');
  }
}

/**
 * Formats an aligned plain-text table (exported for tests and for callers that collect text). Cells often
 * hold text from outside (metric names, an endpoint's reply): each one goes through the neutraliser.
 */
export function formatTable(headers: string[], rows: string[][]): string {
  const cells = [headers, ...rows].map((r) => headers.map((_, i) => untrusted(r[i] ?? '')));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function printTable(headers: string[], rows: string[][]): void {
  console.log(formatTable(headers, rows));
}

/**
 * Prints text from a remote source (job or container logs), keeping its lines: neutralised by untrusted.ts
 * (`##vso[`, `##[`, lone CR), then written through task-lib's external-output filter as well.
 */
export function printUntrusted(text: string): void {
  const safe = untrustedLines(text);
  tl.writeExternalOutput(safe.endsWith('\n') ? safe : safe + '\n', { source: 'remote' });
}

