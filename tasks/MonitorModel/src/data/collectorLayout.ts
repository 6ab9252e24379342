// The Azure ML data collector's folder layout: modelDataCollector/<endpoint>/<deployment>/<collection>/
// YYYY/MM/DD/HH/<instance>.jsonl, the hour folders in UTC ("Store collected data in Blob Storage" in
// Azure ML's how-to-collect-production-data). Only the hour folders that overlap the window are read.
import type { Window } from './window';

const HOUR_PATH = /(?:^|\/)(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/[^/]+\.jsonl$/;

/** The UTC hour a collected file belongs to, from its path; undefined when the path is not in the layout. */
export function collectedHour(path: string): Date | undefined {
  const m = HOUR_PATH.exec(path.replace(/\\/g, '/'));
  if (!m) return undefined;
  const [y, mo, d, h] = m.slice(1).map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h));
  // reject 2026/13/40/25: Date.UTC would roll it over silently
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || date.getUTCHours() !== h) return undefined;
  return date;
}

export interface HourSelection<T> {
  selected: T[];
  /** files in the layout whose hour lies outside the window */
  outside: number;
  /** files not in the layout (no YYYY/MM/DD/HH/*.jsonl), named in the report */
  notInLayout: string[];
}

/** The files whose hour [h, h+1) overlaps the window, oldest first. */
export function selectHours<T extends { path: string }>(files: readonly T[], window: Window): HourSelection<T> {
  const inWindow: { file: T; hour: number }[] = [];
  const notInLayout: string[] = [];
  let outside = 0;
  for (const f of files) {
    const hour = collectedHour(f.path);
    if (!hour) { notInLayout.push(f.path); continue; }
    const start = hour.getTime();
    if (start + 3600_000 > window.from.getTime() && start < window.to.getTime()) inWindow.push({ file: f, hour: start });
    else outside++;
  }
  inWindow.sort((a, b) => a.hour - b.hour || (a.file.path < b.file.path ? -1 : 1));
  return { selected: inWindow.map((x) => x.file), outside, notInLayout };
}
