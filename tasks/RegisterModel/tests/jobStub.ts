// Seeds a finished (or stuck) command job straight into the emulator's jobs service (aml-jobs.ts), as
// TrainModel would have left it: a status and named outputs, no side effects.
import type { Emulator } from '../../../test/emulator';
import { amlJobs, jobScripts, TERMINAL } from '../../../test/emulator/services/aml-jobs';

export function seedJob(emu: Emulator, name: string, o: { status: string; outputs: string[] }): void {
  const base = `/subscriptions/${emu.identities.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw`;
  const terminal = TERMINAL.includes(o.status);
  // a job that is not finished stays in its state however often it is read
  if (!terminal) jobScripts(emu).set(name, { states: [o.status], neverFinish: true });
  amlJobs(emu).set(`rg-ml/mlw/${name.toLowerCase()}`, {
    name,
    workspaceKey: 'rg-ml/mlw',
    resourceGroup: 'rg-ml',
    workspaceName: 'mlw',
    properties: {
      jobType: 'Command',
      experimentName: 'exp',
      command: 'python train.py',
      environmentId: `${base}/environments/env/versions/1`,
      computeId: `${base}/computes/cpu-cluster`,
      outputs: Object.fromEntries(o.outputs.map((out) => [out, { jobOutputType: 'uri_folder', mode: 'ReadWriteMount' }])),
      tags: {},
      properties: {},
    },
    status: o.status,
    created: new Date().toISOString(),
    gets: 0,
    cancelRequests: 0,
    finished: terminal,
  });
}
