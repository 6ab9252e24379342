// Issue 15 item 1: a check's detail quotes the endpoint's reply (its keys and values); the log table,
// the error issues and the summary carry no agent directive, a lone CR included.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as sinon from 'sinon';
import * as tl from 'azure-pipelines-task-lib/task';
import { agentDirectives, captureStdout, stubAgent, tmpDir } from '../../shared/tests/helpers';
import { readInputs } from '../src/inputs';
import { type Bounds, evaluate, measure, type Observations } from '../../shared/src/scoring';
import { buildSummary, printResults } from '../src/report';
import { TASK_DIR } from './helpers/paths';

before(() => tl.setResourcePath(path.join(TASK_DIR, 'task.json')));

describe("ProbeEndpoint: the endpoint's reply is neutralised in check details", () => {
  const reply = (body: unknown, i = 0) => ({ index: i, payloadIndex: i, status: 200, latencyMs: 5, body: Buffer.from(JSON.stringify(body)) });
  const bounds: Bounds = { expectedStatus: 200, tolerance: 0, maxErrorRate: 1, readinessTimeoutSeconds: 5, expectedResponses: [{ result: 1 }] };
  const observe = (body: unknown): Observations => ({
    liveness: 'http://h/',
    readiness: { outcome: 'ready', last: 'HTTP 200', elapsedMs: 1 },
    answers: { results: [reply(body)], seconds: 0.01 },
    load: measure({ results: [reply(body)], wallMs: 10 }, 200),
  });

  for (const [what, body] of [
    ['an unexpected key with a lone CR', { result: 1, 'x\r##[error]fake': 1 }],
    ['an unexpected key with a command', { result: 1, '##vso[task.complete result=Succeeded;]done': 1 }],
    ['a value with a command', { result: '##vso[task.setvariable variable=passed;isOutput=true]true' }],
  ] as const) {
    it(`${what}: log table, error issue text and summary`, async () => {
      const checks = evaluate(bounds, observe(body));
      const correctness = checks.find((c) => c.name === 'correctness')!;
      assert.equal(correctness.outcome, 'failed', correctness.detail);
      const { out } = await captureStdout(() => {
        printResults({ observations: observe(body), checks, passed: false });
        // what main does for each broken check
        tl.error(correctness.detail);
      });
      assert.deepEqual(agentDirectives(out).filter((l) => !l.startsWith('##vso[task.issue')), [], out);
      const md = buildSummary('http://h/score', { observations: observe(body), checks, passed: false }, undefined).toString();
      assert.deepEqual(agentDirectives(md), []);
    });
  }
});

describe('ProbeEndpoint: header values that may be credentials are masked when read (issue 15, low)', () => {
  it('X-Api-Key and Cookie values are registered with setsecret; Content-Type is not', () => {
    const sb = sinon.createSandbox();
    try {
      const dir = tmpDir();
      fs.writeFileSync(path.join(dir, 'p.json'), '{"data": [1]}');
      stubAgent(sb, { inputs: { scoringUri: 'http://127.0.0.1:9/score', payloadFile: path.join(dir, 'p.json'), headers: 'X-Api-Key: k3y-Value-0042\nContent-Type: application/json\nCookie: session=abc123def' } });
      const setSecret = sb.stub(tl, 'setSecret');
      readInputs();
      const masked = setSecret.getCalls().map((c) => c.args[0] as string);
      assert.ok(masked.includes('k3y-Value-0042') && masked.includes('session=abc123def'), masked.join(', '));
      assert.ok(!masked.includes('application/json'));
    } finally {
      sb.restore();
    }
  });
});
