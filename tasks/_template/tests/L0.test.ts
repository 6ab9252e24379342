// L0 tests of the template: its compiled main run by task-lib's MockTestRunner with fake clients injected
// (tests/L0/common.ts). A copied task keeps this shape: one scenario script per case, no network.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { assertFailedBeforeAnyCall, callsOf, leakedBeyondAgentMasking, runScenario, ScenarioRun } from '../../shared/tests/l0';
import { SP_KEY, WORKSPACE_ID } from './L0/common';

const scenario = (name: string): Promise<ScenarioRun> => runScenario(path.join(__dirname, 'L0', `${name}.js`));

describe('_template L0 (MockTestRunner)', function () {
  this.timeout(120000);

  it('reads the workspace and sets its id as the output', async () => {
    const run = await scenario('success');
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.deepEqual(callsOf(run, 'workspaces.get'), [{ rg: 'rg-ml', name: 'ws-prod' }]);
    assert.deepEqual(run.outputs, { workspaceId: WORKSPACE_ID });
    assert.deepEqual(leakedBeyondAgentMasking(run, [SP_KEY]), []);
  });

  it('fails on a bad input before any Azure call', async () => {
    assertFailedBeforeAnyCall(await scenario('badWorkspaceName'), /^Input 'workspaceName': 'my ws' is not a valid Azure ML name\. Expected 3-33 /, [SP_KEY]);
  });

  it('fails in one line naming a missing workspace, with no output', async () => {
    const run = await scenario('missingWorkspace');
    assert.equal(run.result, 'Failed');
    assert.match(run.message ?? '', /^Reading workspace 'ws-gone' in resource group 'rg-ml' failed: \(404\).* Hint: workspace 'ws-gone' in resource group 'rg-ml' was not found: check its name/);
    assert.ok(!/[\r\n]/.test(run.message ?? ''), run.message);
    assert.deepEqual(run.outputs, {});
  });
});
