// What the reliability suite (test/reliability) and the runtime runs (test/integration/runtimes.test.ts) need to
// know about this task; they find the file by the folder's name, so a copied task is run by them with no edit
// elsewhere. Declare: the emulator seeding and fresh happy-path inputs (fixture), at least eight bad-input cases,
// a request the task makes mid-run for the fault matrix, and one failure for each Node runtime. The emulator
// already has resource group 'rg-ml' with workspace 'mlw' (test/emulator): seed anything else the happy path reads.
import {
  ARM_HOST, bedSecrets, connectionsOf, makeRunner, type Fixture, type FixtureOptions, type TaskHarness,
} from '../../../test/reliability/fixture';
import { startTestBed } from '../../../test/harness/testbed';

async function fixture(where: FixtureOptions): Promise<Fixture> {
  const bed = where.bed;
  const b = bed ?? (await startTestBed());
  const emu = b.emulator;
  const connections = connectionsOf(emu);
  const f: Fixture = {
    task: where.task, bed: b, emulator: emu, connection: connections.spnKey, connections, secretVariables: {},
    inputs: (o = {}) => ({ azureSubscription: (o.connection ?? connections.spnKey).id, resourceGroup: 'rg-ml', workspaceName: 'mlw' }),
    run: makeRunner(where, () => f),
    plantedSecrets: () => bedSecrets(emu),
    reset: () => emu.faults.clear(),
    stop: () => (bed ? Promise.resolve() : b.stop()),
  };
  return f;
}

const WORKSPACE_GET = /\/workspaces\/mlw$/;

export const harness: TaskHarness = {
  fixture,
  badInputs: () => [
    { title: 'workspaceName with a space', inputs: () => ({ workspaceName: 'my ws' }), input: 'workspaceName' },
    { title: 'workspaceName of two characters', inputs: () => ({ workspaceName: 'ws' }), input: 'workspaceName' },
    { title: 'workspaceName of 34 characters', inputs: () => ({ workspaceName: 'w'.repeat(34) }), input: 'workspaceName' },
    { title: 'workspaceName starting with a hyphen', inputs: () => ({ workspaceName: '-mlw' }), input: 'workspaceName' },
    { title: 'workspaceName empty', inputs: () => ({ workspaceName: '' }), input: 'workspaceName' },
    { title: 'resourceGroup with invalid characters', inputs: () => ({ resourceGroup: 'rg ml!' }), input: 'resourceGroup' },
    { title: 'resourceGroup ending with a dot', inputs: () => ({ resourceGroup: 'rg-ml.' }), input: 'resourceGroup' },
    { title: 'resourceGroup empty', inputs: () => ({ resourceGroup: '' }), input: 'resourceGroup' },
    { title: 'service connection that is not there', inputs: () => ({ azureSubscription: 'conn-missing' }), input: 'azureSubscription' },
  ],
  faults: {
    // its only Azure call: the workspace GET, first thing
    what: 'the workspace read (ARM GET workspaces/mlw); the ARM token',
    target: { kind: 'throttle', host: ARM_HOST, method: 'GET', path: WORKSPACE_GET },
    after: () => true,
    tokenAfter: () => true,
    immediate: true,
  },
  failure: { title: 'a workspace that does not exist', inputs: { workspaceName: 'no-such-ws' }, names: /workspace 'no-such-ws'/ },
};

