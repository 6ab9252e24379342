// The task's output variables (declared in task.json outputVariables).
import { setOutput } from '../../shared/src/outputs';
import type { Metrics } from './dataplane';

export interface TrainOutputs {
  jobName: string;
  jobStatus: string;
  studioUrl: string;
  metrics: Metrics;
  modelOutputUri: string;
}

export function publishOutputs(o: TrainOutputs): void {
  setOutput('jobName', o.jobName);
  setOutput('jobStatus', o.jobStatus);
  setOutput('studioUrl', o.studioUrl);
  setOutput('metrics', JSON.stringify(o.metrics));
  setOutput('modelOutputUri', o.modelOutputUri);
}
