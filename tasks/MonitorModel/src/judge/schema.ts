// Which features are judged, and how the production columns differ from the reference's.
import type { DriftSettings } from './settings';

export interface SchemaDiff {
  /** reference features production lacks */
  missing: string[];
  /** production columns the reference lacks */
  extra: string[];
  /** names in `features`/`ignoreFeatures` that are not reference columns */
  unknown: string[];
}

export interface FeatureSelection {
  features: string[];
  schema: SchemaDiff;
}

function reserved(s: DriftSettings): Set<string> {
  return new Set([s.correlationColumn, s.targetColumn, s.predictionColumn].filter((x): x is string => !!x));
}

export function selectFeatures(referenceColumns: readonly string[], productionColumns: readonly string[], s: DriftSettings): FeatureSelection {
  const skip = reserved(s);
  const ref = referenceColumns.filter((c) => !skip.has(c));
  const prod = new Set(productionColumns.filter((c) => !skip.has(c)));
  const refSet = new Set(ref);
  const ignore = new Set(s.ignoreFeatures);
  const watched = (s.features.length ? s.features.filter((f) => refSet.has(f)) : ref).filter((f) => !ignore.has(f));
  const unknown = [...s.features, ...s.ignoreFeatures].filter((f) => !refSet.has(f));
  return {
    features: watched,
    schema: {
      missing: watched.filter((c) => !prod.has(c)),
      extra: [...prod].filter((c) => !refSet.has(c)).sort(),
      unknown: [...new Set(unknown)],
    },
  };
}

/** One line naming the column differences, or undefined when the columns agree. */
export function schemaMessage(d: SchemaDiff): string | undefined {
  const parts: string[] = [];
  if (d.missing.length) parts.push(`production data lacks reference column(s) ${d.missing.join(', ')}`);
  if (d.extra.length) parts.push(`production data has column(s) the reference lacks: ${d.extra.join(', ')}`);
  if (d.unknown.length) parts.push(`features/ignoreFeatures name column(s) the reference lacks: ${d.unknown.join(', ')}`);
  return parts.length ? parts.join('; ') : undefined;
}
