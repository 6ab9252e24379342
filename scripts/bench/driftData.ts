// Data for the drift benchmark: a reference CSV (training data) and a day of collected model inputs in the
// data collector's layout, 20 numeric features, one of them (f07) shifted in production. Deterministic.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const FEATURES = Array.from({ length: 20 }, (_, k) => `f${String(k).padStart(2, '0')}`);
export const DRIFTING = 'f07';
export const WINDOW_FROM = '2026-12-01T00:00:00Z';
export const WINDOW_TO = '2026-12-02T00:00:00Z';

function normals(seed: number): () => number {
  let a = seed >>> 0;
  const u = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

function row(next: () => number, shift: boolean): number[] {
  return FEATURES.map((f, k) => Math.round((10 * k + (1 + k / 10) * next() + (shift && f === DRIFTING ? 1.5 * (1 + k / 10) : 0)) * 1e4) / 1e4);
}

function writeLines(file: string, count: number, line: (i: number) => string, header?: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  let buf: string[] = header ? [header] : [];
  for (let i = 0; i < count; i++) {
    buf.push(line(i));
    if (buf.length === 5000) { fs.writeSync(fd, buf.join('\n') + '\n'); buf = []; }
  }
  if (buf.length) fs.writeSync(fd, buf.join('\n') + '\n');
  fs.closeSync(fd);
}

/** Writes reference.csv and collected/<…>/YYYY/MM/DD/HH/*.jsonl under `dir`; returns the bytes written. */
export function writeDriftData(dir: string, referenceRows: number, windowRows: number): { referenceBytes: number; windowBytes: number } {
  const ref = normals(1);
  writeLines(path.join(dir, 'reference.csv'), referenceRows, () => row(ref, false).join(','), FEATURES.join(','));
  const prod = normals(2);
  const perEnvelope = 10;
  const hours = 24;
  const envelopesPerHour = Math.ceil(windowRows / perEnvelope / hours);
  let left = windowRows;
  let windowBytes = 0;
  for (let h = 0; h < hours && left > 0; h++) {
    const hh = String(h).padStart(2, '0');
    const file = path.join(dir, 'collected', 'bench-ep', 'blue', 'model_inputs', '2026', '12', '01', hh, 'instance-0.jsonl');
    const envelopes = Math.min(envelopesPerHour, Math.ceil(left / perEnvelope));
    writeLines(file, envelopes, (e) => {
      const n = Math.min(perEnvelope, left);
      left -= n;
      const data = Array.from({ length: n }, () => {
        const v = row(prod, true);
        return `{${FEATURES.map((f, k) => `"${f}":${v[k]}`).join(',')}}`;
      });
      const time = `2026-12-01T${hh}:${String(Math.floor((e / envelopes) * 60)).padStart(2, '0')}:00Z`;
      return `{"specversion":"1.0","id":"e${h}-${e}","type":"azureml.inference.model_inputs","datacontenttype":"application/json","time":"${time}","data":[${data.join(',')}],"correlationid":"c${h}-${e}"}`;
    });
    windowBytes += fs.statSync(file).size;
  }
  return { referenceBytes: fs.statSync(path.join(dir, 'reference.csv')).size, windowBytes };
}
