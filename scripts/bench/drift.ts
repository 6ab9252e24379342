// MonitorModel's computation at scale: a day of collected data (1 million rows × 20 numeric features, one
// drifting) judged against a training-size reference, beside the time to only read the same files with the
// same readers, each in its own process (peak RSS is the process's), in the same run. Budget (issue 18):
// ≤ 10 s and ≤ 500 MB for the judging.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { DRIFTING, writeDriftData } from './driftData';

interface Measure { ms: number; cpuMs: number; maxRssMB: number; referenceRows: number; windowRows: number; verdict?: string; drifted?: string[]; worstPsi?: number }

function run(mode: 'read' | 'judge', dir: string): Measure {
  const worker = path.join(__dirname, 'driftWorker.js');
  return JSON.parse(execFileSync(process.execPath, [worker, mode, dir], { encoding: 'utf8' }).trim().split('\n').pop() as string) as Measure;
}

function loadavg(): string {
  return os.loadavg().map((l) => l.toFixed(1)).join(' / ');
}

export function benchDrift(windowRows = 1_000_000, referenceRows = 1_000_000): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-bench-'));
  try {
    const g = Date.now();
    const sizes = writeDriftData(dir, referenceRows, windowRows);
    const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MB`;
    const lines = [`data: reference CSV ${referenceRows} rows (${mb(sizes.referenceBytes)}), window ${windowRows} rows × 20 features in 24 hour folders of collector JSON lines (${mb(sizes.windowBytes)}); written in ${((Date.now() - g) / 1000).toFixed(1)} s`];
    const before = loadavg();
    const read = run('read', dir);
    const judge = run('judge', dir);
    const s = (m: Measure): string => `${(m.ms / 1000).toFixed(2)} s (CPU ${(m.cpuMs / 1000).toFixed(2)} s), peak RSS ${m.maxRssMB.toFixed(0)} MB`;
    lines.push(`baseline: read only (same readers, rows counted)  ${s(read)}`);
    lines.push(`judge: profile + KS + PSI + verdicts              ${s(judge)}  (${(judge.ms / read.ms).toFixed(2)}× the read; budget 10 s, 500 MB)`);
    // other work on the machine stretches both figures alike (the wall time most); the ratio and the CPU time are the comparable numbers
    lines.push(`machine: ${os.cpus().length} cores, load average ${before} before, ${loadavg()} after the runs (1 / 5 / 15 min)`);
    lines.push(`verdict: ${judge.verdict}, drifted ${JSON.stringify(judge.drifted)} (expected ["${DRIFTING}"]), worst PSI ${judge.worstPsi?.toFixed(3)}`);
    if (judge.windowRows !== windowRows || read.windowRows !== windowRows) lines.push(`WARNING: read ${read.windowRows} / judged ${judge.windowRows} window rows, expected ${windowRows}`);
    return lines;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
