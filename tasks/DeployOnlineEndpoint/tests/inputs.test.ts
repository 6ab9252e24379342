import * as assert from 'node:assert/strict';
import { InputError } from '../../shared/src/inputs';
import { instanceCount, instanceType } from '../src/compute';
import { deploymentNameFor, endpointName, isValidName, versionHintOf } from '../src/names';
import { DEFAULT_ROLLOUT_STEPS, parseRolloutSteps } from '../src/rolloutSteps';

/** The error is one InputError line that names the input. */
function refuses(fn: () => unknown, input: string, mentions: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `not an InputError: ${String(e)}`);
    assert.equal(e.input, input);
    assert.ok(!e.message.includes('\n'), e.message);
    assert.match(e.message, new RegExp(`^Input '${input}':`));
    assert.match(e.message, mentions);
    return true;
  });
}

describe('DeployOnlineEndpoint rolloutSteps', () => {
  it('defaults to mirror 10 %, then live 10, 50, 100', () => {
    const expected = [{ kind: 'mirror', percent: 10 }, { kind: 'live', percent: 10 }, { kind: 'live', percent: 50 }, { kind: 'live', percent: 100 }];
    assert.deepEqual(parseRolloutSteps(undefined), expected);
    assert.deepEqual(parseRolloutSteps('  '), expected);
    assert.deepEqual(parseRolloutSteps(DEFAULT_ROLLOUT_STEPS), expected);
  });
  it('takes commas or lines, a % sign, MIRROR in any case, and a plan of only 100', () => {
    assert.deepEqual(parseRolloutSteps('MIRROR: 5\nmirror:20, 25%\n100'), [
      { kind: 'mirror', percent: 5 }, { kind: 'mirror', percent: 20 }, { kind: 'live', percent: 25 }, { kind: 'live', percent: 100 },
    ]);
    assert.deepEqual(parseRolloutSteps('100'), [{ kind: 'live', percent: 100 }]);
  });
  it('refuses steps that do not increase, naming the input and both steps', () => {
    refuses(() => parseRolloutSteps('10, 50, 50, 100'), 'rolloutSteps', /do not increase \('live 50 %' then '50'\)/);
    refuses(() => parseRolloutSteps('mirror:20, mirror:10, 100'), 'rolloutSteps', /do not increase/);
  });
  it('refuses a share over 100, a mirror over 50 (Azure), zero and fractions', () => {
    refuses(() => parseRolloutSteps('10, 150'), 'rolloutSteps', /'150' is outside 1-100/);
    refuses(() => parseRolloutSteps('mirror:60, 100'), 'rolloutSteps', /more than 50 %/);
    refuses(() => parseRolloutSteps('0, 100'), 'rolloutSteps', /outside 1-100/);
    refuses(() => parseRolloutSteps('12.5, 100'), 'rolloutSteps', /not a whole percentage/);
  });
  it('refuses a plan that does not end at live 100, mirroring after live steps, and words', () => {
    refuses(() => parseRolloutSteps('10, 50'), 'rolloutSteps', /last step must move all live traffic \(100\), got 'live 50 %'/);
    refuses(() => parseRolloutSteps('mirror:10'), 'rolloutSteps', /got 'mirror 10 %'/);
    refuses(() => parseRolloutSteps('10, mirror:20, 100'), 'rolloutSteps', /mirrors after live traffic/);
    refuses(() => parseRolloutSteps('ten, 100'), 'rolloutSteps', /'ten' is not a step/);
  });
});

describe('DeployOnlineEndpoint names (Azure: 3-32, letter first, letters/digits/-)', () => {
  it('accepts and refuses endpoint names as azure-ai-ml does', () => {
    assert.equal(endpointName(' energy-prod '), 'energy-prod');
    for (const ok of ['abc', 'A1-b2', 'x'.repeat(32)]) assert.ok(isValidName(ok), ok);
    for (const bad of ['ab', '1abc', 'abc-', 'a_bc', 'x'.repeat(33), 'ab.c', '']) {
      refuses(() => endpointName(bad), 'endpointName', /is not a valid online endpoint name.*3-32 characters/);
    }
  });
  it('names deployments from the model version, always valid and at least 3 characters', () => {
    assert.equal(deploymentNameFor('12'), 'v12');
    assert.equal(deploymentNameFor('1'), 'v-1');
    assert.equal(deploymentNameFor('2.1_rc'), 'v2-1-rc');
    for (const v of ['1', '9', '10', '123', '2.1_rc']) assert.ok(isValidName(deploymentNameFor(v)), v);
    assert.notEqual(deploymentNameFor('1'), deploymentNameFor('11'));
  });
  it('reads the version hint back from a deployment name it made', () => {
    assert.equal(versionHintOf('v12'), '12');
    assert.equal(versionHintOf('v-1'), '1');
    assert.equal(versionHintOf('blue'), undefined);
  });
  it('refuses a version that cannot make a deployment name, naming modelId', () => {
    refuses(() => deploymentNameFor('1.'), 'modelId', /gives the deployment name 'v1-'/);
    refuses(() => deploymentNameFor('9'.repeat(32)), 'modelId', /which Azure refuses/);
  });
});

describe('DeployOnlineEndpoint instanceType and instanceCount', () => {
  it('accepts Azure VM sizes', () => {
    for (const s of ['Standard_DS3_v2', 'Standard_F4s_v2', 'Standard_E2s_v3', 'Standard_NC6s_v3', 'Standard_NC24ads_A100_v4', 'Standard_D2as_v4', 'standard_ds2_v2']) assert.equal(instanceType(s), s);
  });
  it('refuses what is no VM size, naming the input', () => {
    for (const s of ['DS3_v2', 'Standard DS3', 'Standard_', 'Basic_A1', 'Standard_DS3_v2; rm -rf']) refuses(() => instanceType(s), 'instanceType', /is not an Azure VM size/);
  });
  it('takes a whole count of 1 or more (default 1)', () => {
    assert.equal(instanceCount(undefined), 1);
    assert.equal(instanceCount(''), 1);
    assert.equal(instanceCount('3'), 3);
    for (const bad of ['0', '-1', '1.5', 'two', '1e3']) refuses(() => instanceCount(bad), 'instanceCount', /an integer of 1 or more/);
  });
});
