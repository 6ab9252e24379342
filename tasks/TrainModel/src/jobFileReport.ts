// The run summary of a job-file run: the job, its type and file, the trials or steps, the best trial of a
// sweep and the model output RegisterModel takes. Names and statuses from Azure are neutralised.
import { type Markdown, MarkdownSummary } from '../../shared/src/summary';
import { neutralise, type ChildRun } from './jobChildren';
import type { SweepResult } from './jobFileOutputs';
import type { Metrics } from './dataplane';
import { metricRows } from './report';

export interface JobFileSummaryData {
  type: 'command' | 'sweep' | 'pipeline';
  file: string;
  jobName: string;
  status: string;
  studioUrl: string;
  experimentName: string;
  reattached: boolean;
  /** The job whose output is the model (the best trial, a pipeline step, or the job itself). */
  modelJob: string;
  modelUri: string;
  metrics: Metrics;
  children: ChildRun[];
  sweep?: SweepResult;
  error?: string;
}

const cell = (s: string): string => neutralise(s).replace(/[<>|]/g, '');

export function jobFileSummary(d: JobFileSummaryData): MarkdownSummary {
  const s = new MarkdownSummary();
  s.heading(`Azure ML ${d.type} job ${d.jobName}: ${d.status}`, 3);
  const rows: (string | Markdown)[][] = [
    ['Job', MarkdownSummary.linkText(d.jobName, d.studioUrl)],
    ['Status', d.status + (d.reattached ? ' (re-attached to the job of an earlier attempt)' : '')],
    ['Job file', d.file],
    ['Experiment', d.experimentName],
    ['Model output', d.modelUri],
  ];
  if (d.sweep) rows.push(['Best trial', `${cell(d.sweep.trial)}: ${cell(d.sweep.primaryMetric)} = ${d.sweep.value ?? 'not logged'}, ${cell(JSON.stringify(d.sweep.parameters))}`]);
  s.table(['', ''], rows);
  if (d.error) s.paragraph(`**Error:** ${cell(d.error)}`);
  if (d.children.length > 0) {
    s.heading(d.type === 'sweep' ? 'Trials' : 'Steps', 4);
    s.table([d.type === 'sweep' ? 'Trial' : 'Step', 'Job', 'Status'], d.children.map((c) => [cell(c.displayName), cell(c.name), cell(c.status)]));
  }
  const metrics = metricRows(d.metrics);
  if (metrics.length > 0) {
    s.heading(d.modelJob === d.jobName ? 'Metrics' : `Metrics of ${cell(d.modelJob)}`, 4);
    s.table(['Metric', 'Value'], metrics);
  }
  return s;
}
