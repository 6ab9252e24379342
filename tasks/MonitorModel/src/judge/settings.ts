// How the monitor judges: the task's inputs, typed (parsed and validated by the task's input module).

/**
 * `both`: a feature drifts when its shift is large (PSI ≥ psiThreshold) and significant (KS p < ksPValue):
 * on a million rows KS finds any trifle significant, on fifty rows PSI is mostly noise. `either` flags on
 * one of the two. Categorical features have PSI only.
 */
export type DriftRule = 'both' | 'either';

export interface DriftSettings {
  psiThreshold: number;
  ksPValue: number;
  /** fewer values than this on either side: "insufficient data", never "no drift" */
  minSamples: number;
  /** equal-frequency bins of the reference for numeric PSI */
  bins: number;
  /**
   * numbers kept per column and side for KS and the reference's bins (a uniform sample beyond it); counts,
   * PSI's production side and missing values are always over every row
   */
  sampleSize: number;
  /** reference categories below this share are pooled into one bin */
  rareShare: number;
  /** only these features (empty: every reference column) */
  features: string[];
  ignoreFeatures: string[];
  /** judged as categories even though their values read as numbers (codes: zip, product id, class) */
  categoricalFeatures: string[];
  rule: DriftRule;
  /** the column that joins records to labels; never a feature */
  correlationColumn: string;
  /** the reference's label column (the reference for prediction drift); never a feature */
  targetColumn?: string;
  /** the production column holding the model's prediction; never a feature */
  predictionColumn?: string;
}

export const DEFAULT_SETTINGS: DriftSettings = {
  psiThreshold: 0.2,
  ksPValue: 0.01,
  minSamples: 100,
  bins: 10,
  sampleSize: 100_000,
  rareShare: 0.005,
  features: [],
  ignoreFeatures: [],
  categoricalFeatures: [],
  rule: 'both',
  correlationColumn: 'correlationid',
};
