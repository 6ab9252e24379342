import { strict as assert } from 'node:assert';
import { latestMetrics, metricsFromRun, runsGetUrl } from '../src/mlflow';

describe('mlflow', () => {
  it('takes the latest value per metric: highest step, then newest timestamp', () => {
    const m = metricsFromRun({ run: { data: { metrics: [
      { key: 'loss', value: 0.9, step: 0, timestamp: 1 }, { key: 'loss', value: 0.4, step: 2, timestamp: 2 }, { key: 'loss', value: 0.5, step: 1, timestamp: 3 },
      { key: 'acc', value: 0.8, step: 0, timestamp: 1 }, { key: 'acc', value: 0.85, step: 0, timestamp: 5 }, { key: 'bad', value: 'x' },
    ] } } });
    assert.deepStrictEqual(m, { acc: 0.85, loss: 0.4 });
    assert.deepStrictEqual(Object.keys(m), ['acc', 'loss'], 'sorted by name');
    assert.deepStrictEqual(metricsFromRun({}), {});
  });

  it('accepts numeric strings and skips what is not a finite number', () => {
    assert.deepStrictEqual(latestMetrics([{ key: 'r2', value: '0.75' }, { key: 'nan', value: 'NaN' }, { value: 1 }, { key: 'inf', value: Infinity }]), { r2: 0.75 });
  });

  it('builds the runs/get URL on the tracking URI', () => {
    assert.strictEqual(runsGetUrl({ mlflowTrackingUri: 'https://eastus.api.azureml.ms/mlflow/v1.0/subscriptions/s/workspaces/w/' }, 'job 1'),
      'https://eastus.api.azureml.ms/mlflow/v1.0/subscriptions/s/workspaces/w/api/2.0/mlflow/runs/get?run_id=job%201');
  });
});
