// A data location's files as rows: collected files (the data-collector layout) are read for the window only;
// any other location is read whole as CSV, JSON lines or Parquet files (by extension). The statistics of the
// reading (files, envelopes, malformed lines) are kept for the report.
import { TaskError } from '../../shared/src/task';
import { collectedHour } from './data/collectorLayout';
import { emptyCollectedStats, readCollected, type CollectedStats } from './data/collected';
import { readCsv } from './data/csv';
import { readJsonLines } from './data/jsonLines';
import { readParquet } from './data/parquet';
import { TABLE_EXTENSIONS, tableFormat } from './data/tableFile';
import type { RowBatches } from './data/cells';
import type { EnvelopeOptions } from './data/collectorEnvelope';
import type { DataFile, DataLocation } from './data/location';
import type { Window } from './data/window';

export interface OpenedSource {
  rows: RowBatches;
  layout: 'collector' | 'table';
  /** files listed at the location */
  files: number;
  collected?: CollectedStats;
  /** the table files read, for the log */
  tables?: string[];
}

async function* tables(files: readonly DataFile[]): RowBatches {
  for (const f of files) {
    switch (tableFormat(f.path)) {
      case 'csv': yield* readCsv(f.open()); break;
      case 'jsonl': yield* readJsonLines(f.open()); break;
      case 'parquet': yield* readParquet({ byteLength: f.size, read: (s, e) => f.read(s, e) }); break;
      default: break;
    }
  }
}

/**
 * Opens the rows of `location`. `window` given (production data): collected files are read for the window;
 * an empty location is an empty window. Without it (reference, labels), every file is read and an empty
 * location is an error naming `input`.
 */
export async function openSource(location: DataLocation, input: string, o: { window?: Window; envelope: EnvelopeOptions }): Promise<OpenedSource> {
  const files = await location.files();
  const collected = files.filter((f) => collectedHour(f.path) !== undefined);
  if (collected.length > 0 || (files.length === 0 && o.window)) {
    const stats = emptyCollectedStats();
    const window = o.window ?? { from: new Date(0), to: new Date(8.64e15) };
    return { rows: readCollected(collected, window, o.envelope, stats), layout: 'collector', files: files.length, collected: stats };
  }
  const readable = files.filter((f) => tableFormat(f.path) !== undefined);
  if (readable.length === 0) {
    const seen = files.slice(0, 3).map((f) => f.path).join(', ');
    throw new TaskError(`Input '${input}': ${location.description} holds no ${TABLE_EXTENSIONS.join(' / ')} file${files.length ? ` (found ${files.length} other file(s): ${seen}${files.length > 3 ? ', …' : ''})` : ' (it is empty or does not exist)'}. Expected data in the collector layout or CSV, JSON lines or Parquet files.`);
  }
  return { rows: tables(readable), layout: 'table', files: files.length, tables: readable.map((f) => f.path) };
}
