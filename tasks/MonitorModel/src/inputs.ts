// Every input read and checked before anything touches Azure: pure (no Azure), one typed object, and one
// line naming the input for anything wrong.
import {
  amlName, azureResourceGroupName, booleanInput, enumInput, InputError, integerInput, keyValueLines, numberInput, optionalString, quote, requiredString, workspaceNameInput,
} from '../../shared/src/inputs';
import { parseMinImprovement, type GateDirection, type MinImprovement } from '../../RegisterModel/src/gate';
import { parseProductionTag } from '../../RegisterModel/src/inputs';
import { DATA_REF_FORMS, parseDataRef, type DataRef } from './dataRef';
import { parseWindow, WindowError, type Window } from './data/window';
import { DEFAULT_SETTINGS, type DriftSettings } from './judge/settings';
import { METRIC_DIRECTION, WINDOW_METRICS, type WindowMetricName } from './quality/windowMetric';

export type OnDrift = 'warn' | 'fail' | 'retrain';

export interface RetrainInputs {
  pipelineId: number;
  branch?: string;
  parameters: Map<string, string>;
}

export interface MonitorInputs {
  resourceGroup: string;
  workspaceName: string;
  modelName: string;
  modelVersion?: string;
  productionTag: { key: string; value: string };
  productionData: DataRef;
  predictionsData?: DataRef;
  referenceData?: DataRef;
  labelsData?: DataRef;
  labelColumn?: string;
  window: Window;
  settings: DriftSettings;
  quality?: { metric: WindowMetricName; direction: GateDirection; maxDrop: MinImprovement };
  onDrift: OnDrift;
  retrain?: RetrainInputs;
  trendRuns: number;
  publishTestResults: boolean;
}

const VERSION = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;
const COLUMN = /^[^\s,][^,\r\n]*$/;
/** Azure Pipelines template parameter names: letters, digits, '_' (YAML `parameters: - name:`). */
const PARAMETER = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const RESERVED_PARAMETERS = ['retrainReason', 'driftWindow'];

function dataRef(name: string, required: true): DataRef;
function dataRef(name: string, required: false): DataRef | undefined;
function dataRef(name: string, required: boolean): DataRef | undefined {
  const text = required ? requiredString(name) : optionalString(name);
  if (text === undefined) return undefined;
  const r = parseDataRef(text);
  if (typeof r === 'string') throw new InputError(name, r, DATA_REF_FORMS);
  return r;
}

function column(name: string, fallback?: string): string | undefined {
  const v = optionalString(name) ?? fallback;
  if (v !== undefined && !COLUMN.test(v.trim())) throw new InputError(name, `${quote(v)} is not a column name`, 'one column name (no commas or line breaks)');
  return v?.trim();
}

/** Comma- or line-separated column names; duplicates are dropped. */
function columnList(name: string): string[] {
  const v = optionalString(name);
  if (v === undefined) return [];
  return [...new Set(v.split(/[,\r\n]+/).map((s) => s.trim()).filter((s) => s.length > 0))];
}

function readWindow(now: Date): Window {
  try {
    return parseWindow({ windowHours: optionalString('windowHours'), from: optionalString('from'), to: optionalString('to') }, now);
  } catch (e) {
    if (!(e instanceof WindowError)) throw e;
    // "<input>: <problem>; expected <what>" → the shared one-line form
    const text = e.message.slice(e.input.length + 2);
    const cut = text.lastIndexOf('; expected ');
    throw new InputError(e.input, cut > 0 ? text.slice(0, cut) : text, cut > 0 ? text.slice(cut + '; expected '.length) : undefined);
  }
}

function readQuality(): MonitorInputs['quality'] {
  const metric = optionalString('gateMetric');
  const dropText = optionalString('maxMetricDrop') ?? '10%';
  const maxDrop = parseMinImprovement(dropText);
  if (!maxDrop) throw new InputError('maxMetricDrop', `${quote(dropText)} is not an amount or a percentage`, "a non-negative number ('0.5') or percentage ('10%')");
  if (metric === undefined) return undefined;
  const m = WINDOW_METRICS.find((w) => w === metric.toLowerCase());
  if (!m) throw new InputError('gateMetric', `${quote(metric)} cannot be computed on the window`, `one of ${WINDOW_METRICS.join(', ')}`);
  return { metric: m, direction: METRIC_DIRECTION[m], maxDrop };
}

function readRetrain(onDrift: OnDrift): RetrainInputs | undefined {
  if (onDrift !== 'retrain') return undefined;
  const pipelineId = integerInput('retrainPipelineId', { min: 1, required: true }) as number;
  const branch = optionalString('retrainBranch');
  if (branch !== undefined && (/\s/.test(branch) || branch.includes('..'))) {
    throw new InputError('retrainBranch', `${quote(branch)} is not a branch name`, "a branch such as 'main' or 'refs/heads/main'");
  }
  const parameters = keyValueLines('retrainParameters', optionalString('retrainParameters'), { keyPattern: PARAMETER, keyRule: "template parameter names (letters, digits, '_')", allowEmptyValue: true });
  for (const k of RESERVED_PARAMETERS) {
    if (parameters.has(k)) throw new InputError('retrainParameters', `sets '${k}', which the task passes itself`, `other parameters than ${RESERVED_PARAMETERS.join(' and ')}`);
  }
  return { pipelineId, ...(branch ? { branch: branch.startsWith('refs/') ? branch : `refs/heads/${branch}` } : {}), parameters };
}

export function readInputs(now: Date = new Date()): MonitorInputs {
  const resourceGroup = azureResourceGroupName('resourceGroup', requiredString('resourceGroup'));
  const workspaceName = workspaceNameInput('workspaceName', requiredString('workspaceName'));
  const modelName = amlName('modelName', requiredString('modelName'));
  const modelVersion = optionalString('modelVersion');
  if (modelVersion !== undefined && !VERSION.test(modelVersion)) {
    throw new InputError('modelVersion', `${quote(modelVersion)} is not a valid model version`, "1-64 letters, digits, '.', '_' or '-', e.g. '3'");
  }
  const productionTag = parseProductionTag(optionalString('productionTag'));
  const productionData = dataRef('productionData', true);
  const predictionsData = dataRef('predictionsData', false);
  const referenceData = dataRef('referenceData', false);
  const labelsData = dataRef('labelsData', false);
  const window = readWindow(now);

  const psiThreshold = numberInput('psiThreshold', { default: DEFAULT_SETTINGS.psiThreshold, min: 0 }) as number;
  if (!(psiThreshold > 0)) throw new InputError('psiThreshold', `${psiThreshold} is not above 0`, 'a number above 0, e.g. 0.2');
  const ksPValue = numberInput('ksPValue', { default: DEFAULT_SETTINGS.ksPValue, min: 0, max: 1 }) as number;
  const minSamples = integerInput('minSamples', { default: DEFAULT_SETTINGS.minSamples, min: 1 }) as number;
  const rule = enumInput('driftRule', ['both', 'either'] as const, 'both');
  const correlationColumn = column('correlationColumn', 'correlationid') as string;
  const targetColumn = column('targetColumn');
  const predictionColumn = column('predictionColumn', 'prediction') as string;
  const labelColumn = column('labelColumn', targetColumn);
  const settings: DriftSettings = {
    ...DEFAULT_SETTINGS, psiThreshold, ksPValue, minSamples, rule, correlationColumn,
    features: columnList('features'), ignoreFeatures: columnList('ignoreFeatures'), categoricalFeatures: columnList('categoricalFeatures'),
    predictionColumn, ...(targetColumn ? { targetColumn } : {}),
  };
  const quality = readQuality();
  if (labelsData && !labelColumn) throw new InputError('labelColumn', 'is empty but labelsData is set', "the label column of labelsData (or set targetColumn)");
  if (quality && !labelsData) throw new InputError('gateMetric', `is '${quality.metric}' but labelsData is empty`, 'labelsData with the ground truth of the window, or no gateMetric');
  const onDrift = enumInput('onDrift', ['warn', 'fail', 'retrain'] as const, 'warn');
  const retrain = readRetrain(onDrift);
  const trendRuns = integerInput('trendRuns', { default: 30, min: 1, max: 1000 }) as number;
  return {
    resourceGroup, workspaceName, modelName, ...(modelVersion ? { modelVersion } : {}), productionTag,
    productionData, ...(predictionsData ? { predictionsData } : {}), ...(referenceData ? { referenceData } : {}),
    ...(labelsData ? { labelsData } : {}), ...(labelColumn ? { labelColumn } : {}),
    window, settings, ...(quality ? { quality } : {}), onDrift, ...(retrain ? { retrain } : {}), trendRuns,
    publishTestResults: booleanInput('publishTestResults', true),
  };
}
