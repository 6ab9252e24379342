import * as assert from 'node:assert/strict';
import type { RowBatch, RowBatches } from '../src/data/cells';
import { readCsv } from '../src/data/csv';
import { profileRows } from '../src/profile/dataProfile';
import { chunked } from './helpers';

describe('MonitorModel profile', () => {
  const csv = 'a,b\n1,x\n,y\nNaN,x\n2.5,\nabc,z\n';
  const summary = async (batches: RowBatches) => {
    const p = await profileRows(batches);
    return [...p.columns.values()].map((c) => ({ name: c.name, numbers: c.numbers.seen, nan: c.nan, invalid: c.invalid, categories: [...(c.categories ?? new Map())] }));
  };
  it('reads CSV batches by their header (the reader\'s columns) with the same counts as enumerating rows', async () => {
    let sawColumns = false;
    async function* withColumns(): RowBatches { for await (const b of readCsv(chunked(csv, 4))) { sawColumns ||= !!b.columns; yield b; } }
    async function* withoutColumns(): RowBatches { for await (const b of readCsv(chunked(csv, 4))) yield [...b] as RowBatch; }
    const fast = await summary(withColumns());
    assert.ok(sawColumns);
    assert.deepEqual(fast, await summary(withoutColumns()));
    assert.deepEqual(fast[0], { name: 'a', numbers: 2, nan: 1, invalid: 1, categories: [['1', 1], ['NaN', 1], ['2.5', 1], ['abc', 1]] });
  });
});
