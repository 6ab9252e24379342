// JUnit XML with one test case per check, for the run's Tests tab (results.publish type=JUnit).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { Check } from '../../shared/src/scoring';

/** XML text/attribute escaping; characters XML 1.0 forbids are dropped. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function junitXml(o: { suite: string; checks: readonly Check[]; timestamp: Date; hostname?: string }): string {
  const count = (k: Check['outcome']): number => o.checks.filter((c) => c.outcome === k).length;
  const time = o.checks.reduce((s, c) => s + c.seconds, 0).toFixed(3);
  const suite = xmlEscape(o.suite);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ProbeEndpoint" tests="${o.checks.length}" failures="${count('failed')}" errors="0" skipped="${count('skipped')}" time="${time}">`,
    `  <testsuite name="${suite}" tests="${o.checks.length}" failures="${count('failed')}" errors="0" skipped="${count('skipped')}" time="${time}" timestamp="${o.timestamp.toISOString().replace(/\.\d+Z$/, '')}" hostname="${xmlEscape(o.hostname ?? 'agent')}">`,
  ];
  for (const c of o.checks) {
    const open = `    <testcase classname="${suite}" name="${xmlEscape(c.name)}" time="${c.seconds.toFixed(3)}"`;
    const detail = xmlEscape(c.detail);
    if (c.outcome === 'passed') lines.push(`${open}>`, `      <system-out>${detail}</system-out>`, '    </testcase>');
    else if (c.outcome === 'skipped') lines.push(`${open}>`, `      <skipped message="${detail}"/>`, '    </testcase>');
    else lines.push(`${open}>`, `      <failure message="${detail}" type="BoundBroken">${detail}</failure>`, '    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

/**
 * Writes the JUnit file into Agent.TempDirectory and asks the agent to publish it. task-lib's
 * TestPublisher emits `##vso[results.publish type=JUnit;mergeResults=false;runTitle=…;
 * publishRunAttachments=true;resultFiles=…]`; `runTitle` is the property the agent reads.
 */
export function publishJUnit(xml: string, runTitle: string): string {
  const dir = tl.getVariable('Agent.TempDirectory') || process.cwd();
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `probe-endpoint-${Date.now()}.junit.xml`);
  fs.writeFileSync(file, xml, 'utf8');
  new tl.TestPublisher('JUnit').publish([file], 'false', '', '', runTitle, 'true');
  return file;
}
