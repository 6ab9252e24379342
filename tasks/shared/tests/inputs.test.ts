import './helpers';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as sinon from 'sinon';
import * as tl from 'azure-pipelines-task-lib/task';
import * as tlInternal from 'azure-pipelines-task-lib/internal';
import {
  amlName,
  azureResourceGroupName,
  booleanInput,
  enumInput,
  filePathInput,
  InputError,
  integerInput,
  keyValueLines,
  numberInput,
  optionalString,
  quietInput,
  requiredString,
  secretInput,
} from '../src/inputs';
import { captureStdout, stubAgent, tmpDir } from './helpers';

describe('inputs', () => {
  const sb = sinon.createSandbox();
  afterEach(() => sb.restore());
  const given = (inputs: Record<string, string>): void => stubAgent(sb, { inputs });

  it('InputError message is one line naming input, problem and expectation', () => {
    const e = new InputError('x', 'is bad.', 'something good.');
    assert.equal(e.message, "Input 'x': is bad. Expected something good.");
    assert.equal(e.input, 'x');
    assert.ok(e instanceof Error);
    assert.equal(new InputError('y', 'line1\nline2').message, "Input 'y': line1 line2.");
  });

  it('requiredString trims and rejects empty', () => {
    given({ a: '  v  ', b: '   ' });
    assert.equal(requiredString('a'), 'v');
    assert.throws(() => requiredString('b'), { message: "Input 'b': is required but empty. Expected a value." });
    assert.throws(() => requiredString('missing'), InputError);
  });

  it('optionalString maps blank to undefined', () => {
    given({ a: ' x ', b: '' });
    assert.equal(optionalString('a'), 'x');
    assert.equal(optionalString('b'), undefined);
    assert.equal(optionalString('c'), undefined);
  });

  it('booleanInput accepts true/false/yes/no/1/0 and defaults', () => {
    given({ t: 'TRUE', y: 'yes', one: '1', f: 'false', n: 'No', zero: '0', bad: 'maybe' });
    for (const k of ['t', 'y', 'one']) assert.equal(booleanInput(k, false), true);
    for (const k of ['f', 'n', 'zero']) assert.equal(booleanInput(k, true), false);
    assert.equal(booleanInput('none', true), true);
    assert.throws(() => booleanInput('bad', false), { message: "Input 'bad': 'maybe' is not a boolean. Expected true or false." });
  });

  it('integerInput validates syntax, range, required and default', () => {
    given({ a: '42', b: '4.2', c: '0', d: 'abc', e: '100' });
    assert.equal(integerInput('a', {}), 42);
    assert.throws(() => integerInput('b', {}), { message: "Input 'b': '4.2' is not an integer. Expected an integer." });
    assert.throws(() => integerInput('c', { min: 1, max: 10 }), { message: "Input 'c': 0 is out of range. Expected an integer from 1 to 10." });
    assert.throws(() => integerInput('d', { min: 1 }), /Expected an integer >= 1/);
    assert.throws(() => integerInput('e', { max: 50 }), /Expected an integer <= 50/);
    assert.equal(integerInput('none', { default: 7 }), 7);
    assert.equal(integerInput('none', {}), undefined);
    assert.throws(() => integerInput('none', { required: true }), /is required but empty/);
  });

  it('numberInput accepts decimals and exponents', () => {
    given({ a: '0.5', b: '1e3', c: '.25', d: '1.2.3', e: 'NaN' });
    assert.equal(numberInput('a', { min: 0, max: 1 }), 0.5);
    assert.equal(numberInput('b', {}), 1000);
    assert.equal(numberInput('c', {}), 0.25);
    assert.throws(() => numberInput('d', {}), /is not a number/);
    assert.throws(() => numberInput('e', {}), /is not a number/);
    assert.throws(() => numberInput('a', { min: 1 }), /out of range/);
  });

  it('enumInput is case-insensitive and lists allowed values', () => {
    given({ a: 'CPU', b: 'tpu' });
    assert.equal(enumInput('a', ['cpu', 'gpu'] as const), 'cpu');
    assert.throws(() => enumInput('b', ['cpu', 'gpu'] as const), { message: "Input 'b': 'tpu' is not supported. Expected one of 'cpu', 'gpu'." });
    assert.equal(enumInput('none', ['cpu', 'gpu'] as const, 'gpu'), 'gpu');
    assert.throws(() => enumInput('none', ['cpu', 'gpu'] as const), /is required/);
  });

  it('keyValueLines parses, skips comments, names line numbers in errors', () => {
    const m = keyValueLines('tags', '# comment\n\na=1\r\nb = x=y \n');
    assert.deepEqual([...m], [['a', '1'], ['b', 'x=y']]);
    assert.equal(keyValueLines('tags', undefined).size, 0);
    assert.throws(() => keyValueLines('tags', 'a=1\nnovalue'), { message: "Input 'tags': line 2 'novalue' has no '='. Expected one 'key=value' per line." });
    assert.throws(() => keyValueLines('tags', 'a=1\n#x\na=2'), /line 3: key 'a' is repeated/);
    assert.throws(() => keyValueLines('tags', 'a='), /empty value/);
    assert.equal(keyValueLines('tags', 'a=', { allowEmptyValue: true }).get('a'), '');
    assert.throws(() => keyValueLines('tags', '=x'), /empty key/);
    assert.throws(
      () => keyValueLines('env', '1BAD=x', { keyPattern: /^[A-Z_][A-Z0-9_]*$/, keyRule: 'upper-case letters, digits and _' }),
      { message: "Input 'env': line 1: key '1BAD' is not valid. Expected upper-case letters, digits and _." },
    );
  });

  it('amlName enforces the Azure ML naming rule with the documented message', () => {
    assert.equal(amlName('workspaceName', 'my-ws_1'), 'my-ws_1');
    assert.throws(() => amlName('workspaceName', 'my ws'), {
      message: "Input 'workspaceName': 'my ws' is not a valid Azure ML name. Expected 1-255 letters, digits, '-' or '_', starting with a letter or digit.",
    });
    assert.throws(() => amlName('n', '-lead'), InputError);
    assert.throws(() => amlName('n', ''), InputError);
    assert.equal(amlName('n', 'a'.repeat(255)).length, 255);
    assert.throws(() => amlName('n', 'a'.repeat(256)), InputError);
    assert.throws(() => amlName('n', 'abcdef', { maxLength: 5 }), /Expected 1-5 letters/);
  });

  it('azureResourceGroupName accepts periods/parentheses, rejects trailing period and long names', () => {
    assert.equal(azureResourceGroupName('rg', 'my.rg(1)_-'), 'my.rg(1)_-');
    assert.throws(() => azureResourceGroupName('rg', 'bad.'), /not a valid resource group name/);
    assert.throws(() => azureResourceGroupName('rg', 'a b'), InputError);
    assert.throws(() => azureResourceGroupName('rg', 'x'.repeat(91)), InputError);
  });

  it('filePathInput checks existence and kind', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'f.txt');
    fs.writeFileSync(file, 'x');
    given({ f: file, d: dir, missing: path.join(dir, 'nope') });
    assert.equal(filePathInput('f', { kind: 'file' }), file);
    assert.equal(filePathInput('d', { kind: 'directory' }), dir);
    assert.equal(filePathInput('d', { kind: 'any' }), dir);
    assert.throws(() => filePathInput('d', { kind: 'file' }), /is not a file/);
    assert.throws(() => filePathInput('f', { kind: 'directory' }), /is not a directory/);
    assert.throws(() => filePathInput('missing', { kind: 'any' }), /does not exist/);
    assert.equal(filePathInput('none', { kind: 'file' }), undefined);
    assert.throws(() => filePathInput('none', { kind: 'file', required: true }), /is required/);
  });

  it('filePathInput treats the agent default (sources directory) of an optional file input as unset', () => {
    const dir = tmpDir();
    sb.restore();
    stubAgent(sb, { inputs: { f: dir + '/' }, variables: { 'Build.SourcesDirectory': dir } });
    assert.equal(filePathInput('f', { kind: 'file' }), undefined);
  });

  describe('secretInput / quietInput (no debug echo)', () => {
    const KEY = 'pl4nted-Input-Secret-93be1f';
    // what the agent does: INPUT_* in the environment, moved into task-lib's vault when it loads
    const planted: string[] = [];
    const plant = (name: string, value: string): void => {
      const key = `INPUT_${tlInternal._getVariableKey(name)}`;
      tlInternal._vault.storeSecret(key, value);
      planted.push(key);
    };
    afterEach(() => {
      for (const key of planted.splice(0)) tlInternal._vault.storeSecret(key, '');
    });

    it('task-lib getInput echoes the value in a debug line (the reason for secretInput)', async () => {
      plant('echoed', KEY);
      const { out } = await captureStdout(() => tl.getInput('echoed'));
      assert.ok(out.includes(`echoed=${KEY}`), out);
    });

    it('secretInput returns the trimmed value, masks it at once and never prints it otherwise', async () => {
      plant('authKey', `  ${KEY}  `);
      const { result, out } = await captureStdout(() => secretInput('authKey'));
      assert.equal(result, KEY);
      const lines = out.split(/\r?\n/).filter((l) => l.includes(KEY));
      assert.deepEqual(lines, [`##vso[task.setsecret]${KEY}`]);
    });

    it('secretInput maps blank to undefined and enforces required without showing anything', async () => {
      plant('blank', '   ');
      const { result, out } = await captureStdout(() => secretInput('blank'));
      assert.equal(result, undefined);
      assert.ok(!out.includes('setsecret'), out);
      assert.equal(secretInput('never-set'), undefined);
      assert.throws(() => secretInput('never-set', { required: true }), { message: "Input 'never-set': is required but empty. Expected a single-line secret value." });
      assert.throws(() => secretInput('blank', { required: true, expected: 'the registry password' }), { message: "Input 'blank': is required but empty. Expected the registry password." });
    });

    it('secretInput refuses a multi-line value: each line masked, the input named, the value not in the message', async () => {
      plant('multi', `${KEY}\r\nsecond-line-${KEY}\nab`);
      let error: unknown;
      const { out } = await captureStdout(() => {
        try {
          secretInput('multi', { expected: 'a single-line key' });
        } catch (err) {
          error = err;
        }
      });
      assert.ok(error instanceof InputError);
      assert.equal(error.message, "Input 'multi': contains a line break. Expected a single-line key.");
      assert.equal(error.input, 'multi');
      const masked = out.split(/\r?\n/).filter((l) => l.startsWith('##vso[task.setsecret]'));
      // lines shorter than 4 characters are not masked (the agent ignores such short secrets too)
      assert.deepEqual(masked, [`##vso[task.setsecret]${KEY}`, `##vso[task.setsecret]second-line-${KEY}`]);
      assert.ok(!out.includes(`multi=`), out);
    });

    it('quietInput reads without the echo and without masking', async () => {
      plant('scoringUri', ' https://h.example/score?code=abc123 ');
      const { result, out } = await captureStdout(() => quietInput('scoringUri'));
      assert.equal(result, 'https://h.example/score?code=abc123');
      assert.equal(out, '');
      assert.equal(quietInput('never-set'), undefined);
    });
  });
});
