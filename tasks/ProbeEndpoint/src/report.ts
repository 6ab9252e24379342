// What a person reads: the log table, the run summary (tables + latency histogram), the JUnit file
// for the Tests tab, and the output variables.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { printTable } from '../../shared/src/log';
import { setOutput } from '../../shared/src/outputs';
import { MarkdownSummary } from '../../shared/src/summary';
import { Check, Measurement } from '../../shared/src/scoring';
import { latencyHistogramSvg, logBuckets, formatTick } from './histogram';
import { junitXml, publishJUnit } from './junit';
import { ProbeResult } from './probe';
import { formatMs, formatRatio } from '../../shared/src/scoring';

export const HISTOGRAM_FILE = 'probe-latency-histogram.svg';
export const ATTACHMENT_TYPE = 'probeendpoint.latencyhistogram';

function latencyRow(name: string, m: Measurement): string[] {
  const s = m.stats;
  return [name, String(s.count), formatMs(s.p50), formatMs(s.p90), formatMs(s.p95), formatMs(s.p99), formatMs(s.max), formatRatio(m.errorRate), m.requestsPerSecond.toFixed(1)];
}

const LATENCY_HEADERS = ['endpoint', 'requests', 'p50 ms', 'p90 ms', 'p95 ms', 'p99 ms', 'max ms', 'error rate', 'requests/s'];
const icon = (c: Check): string => (c.outcome === 'passed' ? 'passed' : c.outcome === 'failed' ? 'FAILED' : 'skipped');

function latencyRows(r: ProbeResult): string[][] {
  const rows: string[][] = [];
  const o = r.observations;
  if (o.load) rows.push(latencyRow('candidate', o.load));
  if (o.baseline && o.load) {
    rows.push(latencyRow('baseline', o.baseline.load));
    const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(2) : '');
    rows.push(['candidate / baseline', '', ratio(o.load.stats.p50, o.baseline.load.stats.p50), '', ratio(o.load.stats.p95, o.baseline.load.stats.p95), '', '', '', '']);
  }
  return rows;
}

export function printResults(r: ProbeResult): void {
  const rows = latencyRows(r);
  if (rows.length) printTable(LATENCY_HEADERS, rows);
  console.log('');
  printTable(['check', 'result', 'detail'], r.checks.map((c) => [c.name, icon(c), c.detail]));
}

/** The summary section: verdict, checks, latency table, histogram picture (+ a text histogram that renders everywhere). */
export function buildSummary(target: string, r: ProbeResult, svg: string | undefined): MarkdownSummary {
  const s = new MarkdownSummary();
  s.heading(`Probe of ${target}: ${r.passed ? 'passed' : 'FAILED'}`, 3);
  s.table(['check', 'result', 'detail'], r.checks.map((c) => [c.name, icon(c), c.detail]));
  const rows = latencyRows(r);
  if (rows.length) s.table(LATENCY_HEADERS, rows);
  const load = r.observations.load;
  if (svg && load) {
    s.image('Latency histogram', HISTOGRAM_FILE, svg);
    const buckets = logBuckets(load.run.results.map((x) => x.latencyMs), 12).filter((b) => b.count > 0);
    const max = Math.max(...buckets.map((b) => b.count));
    s.table(['latency', 'requests', ''], buckets.map((b) => [`${formatTick(b.fromMs)} - ${formatTick(b.toMs)}`, String(b.count), '█'.repeat(Math.max(1, Math.round((b.count / max) * 30)))]));
    s.paragraph('Percentiles are nearest-rank over all measured requests (failed ones included); latency is measured from sending the request to reading the last byte of the response.');
  }
  return s;
}

export function report(o: { target: string; result: ProbeResult; publishTestResults: boolean; testRunTitle: string }): void {
  const r = o.result;
  printResults(r);
  const load = r.observations.load;
  let svg: string | undefined;
  if (load) {
    svg = latencyHistogramSvg(load.run.results.map((x) => x.latencyMs), load.stats, { title: `Latency of ${load.stats.count} requests to ${o.target}` });
    const dir = tl.getVariable('Agent.TempDirectory') || process.cwd();
    const file = path.join(dir, HISTOGRAM_FILE);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, svg, 'utf8');
    // the picture as a run attachment too (downloadable; the summary embeds it as a data URI)
    tl.addAttachment(ATTACHMENT_TYPE, HISTOGRAM_FILE, file);
  }
  buildSummary(o.target, r, svg).write('Probe endpoint');
  if (o.publishTestResults) {
    const file = publishJUnit(junitXml({ suite: `ProbeEndpoint ${o.target}`, checks: r.checks, timestamp: new Date() }), o.testRunTitle);
    console.log(`Test results: ${file}`);
  }
}

export function setOutputs(r: ProbeResult): void {
  const o = r.observations;
  setOutput('passed', String(r.passed));
  setOutput('p50Ms', o.load ? formatMs(o.load.stats.p50) : '');
  setOutput('p95Ms', o.load ? formatMs(o.load.stats.p95) : '');
  setOutput('p99Ms', o.load ? formatMs(o.load.stats.p99) : '');
  setOutput('errorRate', o.load ? formatRatio(o.load.errorRate) : '');
  setOutput('requestsPerSecond', o.load ? o.load.requestsPerSecond.toFixed(1) : '');
  setOutput('agreement', o.baseline ? formatRatio(o.baseline.agreement.ratio) : '');
}
