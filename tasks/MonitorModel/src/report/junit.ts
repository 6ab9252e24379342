// JUnit XML with one test case per feature (and the prediction and the metric), for the run's Tests tab:
// drift fails the case, a feature absent from production fails it, a feature that could not be judged
// (insufficient data, unsupported) is skipped — never passed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { xmlEscape } from '../../../ProbeEndpoint/src/junit';
import type { FeatureResult } from '../judge/featureDrift';
import type { MetricComparison } from '../quality/metricComparison';

export interface JUnitCase {
  name: string;
  outcome: 'passed' | 'failed' | 'skipped';
  detail: string;
}

export function featureCase(f: FeatureResult, prefix = 'feature'): JUnitCase {
  const outcome = f.verdict === 'noDrift' ? 'passed' : f.verdict === 'drift' || f.verdict === 'absent' ? 'failed' : 'skipped';
  return { name: `${prefix} ${f.name}`, outcome, detail: `${f.verdict}: ${f.reason}` };
}

export function metricCase(m: MetricComparison): JUnitCase {
  const outcome = m.verdict === 'ok' ? 'passed' : m.verdict === 'degraded' ? 'failed' : 'skipped';
  return { name: `metric ${m.metric}`, outcome, detail: `${m.verdict}: ${m.reason}` };
}

export function junitXml(suite: string, cases: readonly JUnitCase[], timestamp: Date): string {
  const count = (k: JUnitCase['outcome']): number => cases.filter((c) => c.outcome === k).length;
  const s = xmlEscape(suite);
  const head = `tests="${cases.length}" failures="${count('failed')}" errors="0" skipped="${count('skipped')}" time="0"`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="MonitorModel" ${head}>`,
    `  <testsuite name="${s}" ${head} timestamp="${timestamp.toISOString().replace(/\.\d+Z$/, '')}" hostname="agent">`,
  ];
  for (const c of cases) {
    const open = `    <testcase classname="${s}" name="${xmlEscape(c.name)}" time="0">`;
    const d = xmlEscape(c.detail);
    if (c.outcome === 'passed') lines.push(open, `      <system-out>${d}</system-out>`, '    </testcase>');
    else if (c.outcome === 'skipped') lines.push(open, `      <skipped message="${d}"/>`, '    </testcase>');
    else lines.push(open, `      <failure message="${d}" type="Drift">${d}</failure>`, '    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

/** Writes the file into Agent.TempDirectory and asks the agent to publish it (task-lib's TestPublisher: `##vso[results.publish type=JUnit;…]`). */
export function publishJUnit(xml: string, runTitle: string): string {
  const dir = tl.getVariable('Agent.TempDirectory') || process.cwd();
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `monitor-model-${Date.now()}.junit.xml`);
  fs.writeFileSync(file, xml, 'utf8');
  new tl.TestPublisher('JUnit').publish([file], 'false', '', '', runTitle, 'true');
  return file;
}
