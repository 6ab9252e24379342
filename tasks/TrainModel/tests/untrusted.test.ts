// Issue 15 item 1: the job's error and warnings, metric names from MLflow and the log tail's name are text
// from outside; what TrainModel prints and writes into its summary carries no agent directive.
import './../../shared/tests/helpers';
import * as assert from 'node:assert/strict';
import { agentDirectives, captureStdout, HOSTILE } from '../../shared/tests/helpers';
import { printFailure, printMetrics, summaryMarkdown } from '../src/report';

describe('TrainModel: text from outside is neutralised', () => {
  it("printFailure: the job's error and warnings (a lone CR before ##[error] included) print no directive", async () => {
    const { out } = await captureStdout(() => printFailure({ error: `UserError: ${HOSTILE}`, warnings: [HOSTILE, 'plain'], logTail: { name: `std_log${HOSTILE}.txt`, lines: ['Traceback', HOSTILE] } }));
    // only the task's own group around the log tail
    assert.deepEqual(agentDirectives(out).map((l) => l.replace(/\].*/, ']')), ['##[group]', '##[endgroup]'], out);
    assert.match(out, /Job error: UserError: ok ##_vso\[task\.setvariable/);
    assert.match(out, /Job warning: plain/);
  });

  it('metric names from MLflow: the log table and the summary table', async () => {
    const metrics = { [HOSTILE]: 0.5, '![x](https://evil.example/p.png)': 1 };
    const { out } = await captureStdout(() => printMetrics(metrics));
    assert.deepEqual(agentDirectives(out), []);
    const md = summaryMarkdown({
      jobName: 'j', status: 'Failed', studioUrl: 'https://ml.azure.com/runs/j', experimentName: 'e', compute: 'c', environment: 'env',
      code: { name: 'abc', version: '1', reused: false, files: 1, bytes: '1 B' }, reattached: false, metrics, modelOutputUri: 'azureml://jobs/j/outputs/model', error: HOSTILE,
    }).toString();
    assert.deepEqual(agentDirectives(md), []);
    assert.ok(!md.includes('![x]('), 'no image from outside in the summary');
  });
});
