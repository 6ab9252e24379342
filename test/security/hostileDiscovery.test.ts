// Issue 15 item 3, end to end: the emulator answers the discovery document with an `api` (run history) host that is not
// the workspace's (a hostile reply). The bundled TrainModel, reporting a failed job, must not send the ARM token
// there: no request reaches that host, and one warning names it.
import * as assert from 'node:assert/strict';
import { jobScripts } from '../emulator/services/aml-jobs';
import { discoveryOverrides } from '../emulator/services/aml-workspace';
import { startTestBed, type TestBed } from '../harness/testbed';
import { cleanupTemp, FIXTURES, type Fixture } from '../reliability/helpers';

describe('security: a hostile discovery reply gets no Azure token (TrainModel, bundled)', function () {
  this.timeout(240_000);
  let bed: TestBed;
  let f: Fixture;
  before(async () => {
    bed = await startTestBed();
    f = await FIXTURES.TrainModel(bed);
  });
  after(async () => {
    await f?.stop();
    await bed?.stop();
    cleanupTemp();
  });

  it('the failed job is reported, the foreign history host is named in one warning and never contacted', async () => {
    jobScripts(f.emulator).set('*', { outcome: 'Failed', error: { code: 'UserError', message: 'boom' }, log: 'Traceback\nValueError: boom\n' });
    // a host the emulator's certificate covers (so a request WOULD be served and recorded), but not the workspace's (eastus)
    const collector = `https://westus.api.azureml.localhost:${f.emulator.port}`;
    // run history is found under the discovery document's `api` key (dataplane.ts runHistoryHost)
    discoveryOverrides(f.emulator).set('api', collector);
    const run = await f.run(f.inputs());
    assert.equal(run.result, 'Failed', run.stdout.slice(-2000));
    const warnings = run.issues.filter((i) => i.type === 'warning' && i.message.includes(`'${collector}'`));
    assert.equal(warnings.length, 1, run.stdout.slice(-2000));
    assert.match(warnings[0].message, /not an Azure ML data-plane host of this workspace .*refusing to send it the Azure token/);
    assert.deepEqual(f.emulator.requests.filter((r) => r.host === 'westus.api.azureml.localhost').map((r) => `${r.method} ${r.path}`), []);
  });
});
