// Payload and expected-response files: one JSON document (one request) or JSON Lines (one request
// per line). Errors name the input, the file and the line.
import * as fs from 'node:fs';
import { InputError, quote } from '../inputs';

export interface JsonDocuments {
  format: 'json' | 'jsonl';
  items: unknown[];
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return { line, column: position - before.lastIndexOf('\n') };
}

/**
 * Offset of the first syntax error in a JSON text, or -1. Node 20's JSON.parse messages do not always
 * carry a position ("Unexpected token ']', ..."), and a line number is what a person needs.
 */
export function jsonErrorOffset(t: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = (): void => {
    while (i < t.length && ' \t\n\r'.includes(t[i])) i++;
  };
  const str = (): void => {
    i++;
    for (;;) {
      if (i >= t.length || t.charCodeAt(i) < 0x20) fail();
      if (t[i] === '"') {
        i++;
        return;
      }
      if (t[i] === '\\') {
        if (!/^(["\\/bfnrt]|u[0-9a-fA-F]{4})/.test(t.slice(i + 1, i + 6))) fail();
        i += t[i + 1] === 'u' ? 6 : 2;
      } else i++;
    }
  };
  const value = (): void => {
    ws();
    const c = t[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (t[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (t[i] !== '"') fail();
          str();
          ws();
          if (t[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (t[i] === ',') i++;
        else if (t[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') return str();
    const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(t.slice(i, i + 512));
    if (!m) fail();
    else i += m[0].length;
  };
  try {
    value();
    ws();
    if (i < t.length) fail();
    return -1;
  } catch (e) {
    if (typeof e === 'number') return e;
    throw e;
  }
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
          const offset = jsonErrorOffset(t);
          const where = offset >= 0 ? lineAndColumn(t, offset) : undefined;
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
