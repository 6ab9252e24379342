// Issue 15 item 1: metric names come from MLflow (the candidate) and from the production version's
// properties; the comparison table (log and summary) carries no agent directive.
import '../../shared/tests/helpers';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as sinon from 'sinon';
import * as tl from 'azure-pipelines-task-lib/task';
import { agentDirectives, captureStdout, HOSTILE, stubAgent, tmpDir } from '../../shared/tests/helpers';
import { metricsFromProperties, type ModelVersionInfo } from '../src/modelVersions';
import { comparisonRows, printComparison, writeSummary } from '../src/report';

describe('RegisterModel: metric names from outside are neutralised', () => {
  const sb = sinon.createSandbox();
  afterEach(() => sb.restore());

  it("the production version's metric properties and the candidate's MLflow metrics: log table and summary", async () => {
    const prod = { properties: { [`metric.${HOSTILE}`]: '0.7', 'metric.accuracy': '0.9' } } as unknown as ModelVersionInfo;
    const production = metricsFromProperties(prod);
    assert.ok(Object.keys(production).includes(HOSTILE), 'the hostile name is read as a metric (the test plants it)');
    const rows = comparisonRows(undefined, { [`x\r##[error]y`]: 1, accuracy: 0.95 }, production);
    const { out } = await captureStdout(() => printComparison(rows));
    assert.deepEqual(agentDirectives(out), []);

    const dir = tmpDir();
    stubAgent(sb, { variables: { 'Agent.TempDirectory': dir } });
    sb.stub(tl, 'uploadSummary');
    writeSummary({ action: 'register', modelName: 'm', gateResult: 'skipped', registered: true, outcome: `Registered ${HOSTILE}`, rows, source: 'https://a.blob.core.windows.net/c/m?sv=1&sig=SECRETSIG' });
    const md = fs.readFileSync((tl.uploadSummary as sinon.SinonStub).firstCall.args[0] as string, 'utf8');
    assert.deepEqual(agentDirectives(md), []);
    assert.ok(!md.includes('SECRETSIG'), 'a SAS in the source URI is not shown');
  });
});
