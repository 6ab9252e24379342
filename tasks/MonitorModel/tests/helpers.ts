// Test helpers: bytes cut into chunks at chosen places, and collecting row batches.
import type { ByteSource, Row, RowBatches } from '../src/data/cells';

/** The text's UTF-8 bytes cut every `size` bytes (so chunk edges fall inside characters and lines). */
export async function* chunked(text: string | Uint8Array, size: number): ByteSource {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export async function allRows(batches: RowBatches): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of batches) out.push(...b);
  return out;
}

export async function* rowsOf(rows: Row[], batch = 1000): RowBatches {
  for (let i = 0; i < rows.length; i += batch) yield rows.slice(i, i + batch);
}

/** Deterministic uniform [0, 1) (mulberry32), and a normal from it (Box–Muller). */
export function random(seed: number): { uniform(): number; normal(mean?: number, sd?: number): number } {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform,
    normal: (mean = 0, sd = 1) => mean + sd * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()),
  };
}
