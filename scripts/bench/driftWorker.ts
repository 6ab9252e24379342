// One measurement of the drift benchmark in its own process, so its peak RSS is its own:
//   node driftWorker.js read|judge <dir>
// read: the same readers stream the reference and the window, rows are only counted.
// judge: the whole computation (profile, KS, PSI, verdicts). Prints one JSON line.
import * as path from 'node:path';
import { readCsv } from '../../tasks/MonitorModel/src/data/csv';
import { readCollected } from '../../tasks/MonitorModel/src/data/collected';
import { fileBytes, localFiles } from '../../tasks/MonitorModel/src/data/localFiles';
import { DEFAULT_SETTINGS } from '../../tasks/MonitorModel/src/judge/settings';
import { monitor } from '../../tasks/MonitorModel/src/monitor';
import type { RowBatches } from '../../tasks/MonitorModel/src/data/cells';
import { WINDOW_FROM, WINDOW_TO } from './driftData';

async function count(batches: RowBatches): Promise<number> {
  let n = 0;
  for await (const b of batches) n += b.length;
  return n;
}

async function main(): Promise<void> {
  const [mode, dir] = process.argv.slice(2);
  const window = { from: new Date(WINDOW_FROM), to: new Date(WINDOW_TO) };
  const options = { correlationColumn: 'correlationid', valueColumn: 'prediction' };
  const reference = (): RowBatches => readCsv(fileBytes(path.join(dir, 'reference.csv')));
  const production = (): RowBatches => readCollected(localFiles(path.join(dir, 'collected')), window, options);
  const t = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let out: Record<string, unknown>;
  if (mode === 'read') {
    out = { referenceRows: await count(reference()), windowRows: await count(production()) };
  } else {
    const { drift } = await monitor({ reference: reference(), production: production() }, DEFAULT_SETTINGS);
    out = { referenceRows: drift.referenceRows, windowRows: drift.productionRows, verdict: drift.verdict, drifted: drift.driftedFeatures, worstPsi: drift.worstPsi };
  }
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  // CPU time (user + system) beside the wall time: on a shared machine the wall time stretches with the load
  const used = process.cpuUsage(cpu);
  console.log(JSON.stringify({ ...out, ms, cpuMs: (used.user + used.system) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
