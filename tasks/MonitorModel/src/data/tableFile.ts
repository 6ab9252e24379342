// A local data file read by its extension (a data asset downloaded, a file in the repository).
import * as path from 'node:path';
import { readCsv } from './csv';
import { readJsonLines } from './jsonLines';
import { fileBytes } from './localFiles';
import { fileRanges, readParquet } from './parquet';
import type { RowBatches } from './cells';

export type TableFormat = 'csv' | 'jsonl' | 'parquet';

const BY_EXTENSION: Record<string, TableFormat> = { '.csv': 'csv', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.json': 'jsonl', '.parquet': 'parquet' };

/** The format a file name says, or undefined (the caller names the input and the accepted extensions). */
export function tableFormat(file: string): TableFormat | undefined {
  return BY_EXTENSION[path.extname(file).toLowerCase()];
}

export const TABLE_EXTENSIONS = Object.keys(BY_EXTENSION);

export function readTableFile(file: string, format: TableFormat): RowBatches {
  switch (format) {
    case 'csv': return readCsv(fileBytes(file));
    case 'jsonl': return readJsonLines(fileBytes(file));
    case 'parquet': return readParquet(fileRanges(file));
  }
}
