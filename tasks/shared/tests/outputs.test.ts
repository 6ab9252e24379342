import './helpers';
import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import * as tl from 'azure-pipelines-task-lib/task';
import { setOutput } from '../src/outputs';

describe('outputs', () => {
  const sb = sinon.createSandbox();
  afterEach(() => sb.restore());

  it('sets an output variable', () => {
    const set = sb.stub(tl, 'setVariable');
    const mask = sb.stub(tl, 'setSecret');
    setOutput('modelVersion', '3');
    assert.ok(set.calledOnceWith('modelVersion', '3', false, true));
    assert.ok(mask.notCalled);
  });

  it('masks a secret output before setting it', () => {
    const calls: string[] = [];
    sb.stub(tl, 'setSecret').callsFake(() => void calls.push('mask'));
    sb.stub(tl, 'setVariable').callsFake((_n: string, _v: string, secret?: boolean, isOutput?: boolean) => void calls.push(`set secret=${secret} output=${isOutput}`));
    setOutput('scoringKey', 'k3y', { secret: true });
    assert.deepEqual(calls, ['mask', 'set secret=true output=true']);
  });

  it('writes the ##vso command with isOutput', async () => {
    const { captureStdout } = await import('./helpers');
    const { out } = await captureStdout(() => setOutput('x', 'y'));
    assert.match(out, /##vso\[task\.setvariable variable=x;isOutput=true;issecret=false;\]y/);
  });
});
