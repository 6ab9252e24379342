// Which reference columns are numeric, which categorical, and which cannot be judged (free text, ids).
import { MAX_CATEGORIES, type ColumnProfile } from '../profile/columnProfile';
import type { ColumnKind } from '../profile/dataProfile';

/** A column is numeric when at most this share of its present values is not a number (typos, "N/A"). */
export const MAX_INVALID_SHARE = 0.01;

export type KindDecision = { kind: ColumnKind } | { kind: 'unsupported'; why: string };

export function decideKind(col: ColumnProfile, forceCategorical = false): KindDecision {
  if (forceCategorical) {
    return col.categories ? { kind: 'categorical' } : { kind: 'unsupported', why: `more than ${MAX_CATEGORIES} distinct values to judge as categories` };
  }
  const readable = col.numbers.seen + col.invalid;
  if (col.numbers.seen > 0 && col.invalid <= MAX_INVALID_SHARE * readable) return { kind: 'numeric' };
  if (col.categories) return { kind: 'categorical' };
  return { kind: 'unsupported', why: `text with more than ${MAX_CATEGORIES} distinct values (an id or free text?)` };
}
