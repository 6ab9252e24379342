// What the reliability suite (test/reliability) and the runtime runs (test/integration/runtimes.test.ts) need to
// know about this task; they find the file by the folder's name, so a copied task is run by them with no edit
// elsewhere. Declare: the emulator seeding and fresh happy-path inputs (fixture), at least eight bad-input cases,
// a request the task makes mid-run for the fault matrix, and one failure for each Node runtime. The emulator
// already has resource group 'rg-ml' with workspace 'mlw' (test/emulator): seed anything else the happy path reads.
import {
  ARM_HOST, bedFor, fixtureOn, WORKSPACE, type Fixture, type FixtureOptions, type TaskHarness,
} from '../../../test/reliability/fixture';

// fixtureOn adds what every task shares (connections, azureSubscription, the runner, the bed's secrets, faults
// cleared on reset); the fixture gives the task's own: its happy-path inputs, and where it plants more, its
// plantedSecrets, secretVariables, reset and stop.
async function fixture(where: FixtureOptions): Promise<Fixture> {
  const bed = await bedFor(where);
  return fixtureOn(where, bed, { inputs: () => ({ ...WORKSPACE }) });
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
    // its only Azure call: the workspace GET, first thing, with its one token (no tokenAfter: the matrix hands that
    // token out expired; a task that takes a second token later names the request after which it does)
    what: 'the workspace read (ARM GET workspaces/mlw); the ARM token',
    target: { kind: 'throttle', host: ARM_HOST, method: 'GET', path: WORKSPACE_GET },
    after: () => true,
  },
  failure: { title: 'a workspace that does not exist', inputs: { workspaceName: 'no-such-ws' }, names: /workspace 'no-such-ws'/ },
};

