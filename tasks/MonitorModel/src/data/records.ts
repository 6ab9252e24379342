// JSON values → row cells: scalars stay as they are; a nested object or array becomes its JSON text (a
// category that will not match a number, so it is counted as invalid in a numeric column).
import type { Cell, Row } from './cells';

export function toCell(v: unknown): Cell {
  if (v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v);
}

export function toRow(o: Record<string, unknown>): Row {
  const row: Row = {};
  for (const k of Object.keys(o)) row[k] = toCell(o[k]);
  return row;
}
