// Payload and expected-response files: one JSON document (one request) or JSON Lines (one request
// per line). Errors name the input, the file and the line.
import * as fs from 'node:fs';
import { InputError, quote } from '../../shared/src/inputs';

export interface JsonDocuments {
  format: 'json' | 'jsonl';
  items: unknown[];
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return { line, column: position - before.lastIndexOf('\n') };
}

function jsonErrorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
}

/**
 * Parses text as one JSON document, or else as JSON Lines (blank lines ignored). A file whose first
 * line parses on its own is JSON Lines, and a bad later line is reported by its number; otherwise
 * the JSON error is reported with its line and column.
 */
export function parseJsonOrJsonLines(inputName: string, filePath: string, text: string): JsonDocuments {
  const t = text.replace(/^\uFEFF/, '');
  if (t.trim().length === 0) throw new InputError(inputName, `${quote(filePath)} is empty`, 'one JSON document, or JSON Lines (one JSON document per line)');
  try {
    return { format: 'json', items: [JSON.parse(t)] };
  } catch (wholeErr) {
    const lines = t.split('\n');
    const items: unknown[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line.length === 0) continue;
      try {
        items.push(JSON.parse(line));
      } catch (lineErr) {
        if (items.length === 0) {
          // the first line is not JSON on its own: this is a (broken) JSON document, not JSON Lines
          const m = /position (\d+)/.exec(jsonErrorText(wholeErr));
          const where = m ? lineAndColumn(t, Number(m[1])) : undefined;
          throw new InputError(
            inputName,
            `${quote(filePath)} is not valid JSON${where ? ` (line ${where.line}, column ${where.column})` : ''}: ${jsonErrorText(wholeErr)}`,
            'one JSON document, or JSON Lines (one JSON document per line)',
          );
        }
        throw new InputError(inputName, `line ${i + 1} of ${quote(filePath)} is not valid JSON Lines: ${jsonErrorText(lineErr)}`, 'one complete JSON document per line');
      }
    }
    return { format: 'jsonl', items };
  }
}

/** Reads and parses a payload-shaped file; unreadable files are input errors too. */
export function readJsonDocuments(inputName: string, filePath: string): JsonDocuments {
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new InputError(inputName, `${quote(filePath)} cannot be read (${code})`, 'a readable file');
  }
  return parseJsonOrJsonLines(inputName, filePath, text);
}
