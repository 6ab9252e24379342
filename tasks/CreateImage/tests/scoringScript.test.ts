import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkScoringScript, startScoringScriptCheck } from '../src/scoringScript';

describe('CreateImage scoring script check', () => {
  let dir: string;
  const write = (name: string, text: string): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-check-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const good = 'import json\n\ndef init():\n    global m\n    m = 1\n\n@decorator\ndef run(raw_data: str, request=None):\n    return json.loads(raw_data)\n';

  for (const python of ['python3', 'no-such-python-binary']) {
    const method = python === 'python3' ? 'ast' : 'regex';
    describe(`with ${method}`, () => {
      it('accepts a script with init() and run(data)', () => {
        assert.deepStrictEqual(checkScoringScript('scoringScript', write('ok.py', good), { python }), { method });
      });
      it('rejects a missing init() or run(), naming the input and the contract', () => {
        const p = write('noinit.py', 'def run(data):\n    return data\n');
        assert.throws(() => checkScoringScript('scoringScript', p, { python }), /^InputError: Input 'scoringScript': '.*noinit\.py' has no top-level init\(\)\. Expected a score\.py with top-level def init\(\)/);
        const q = write('norun.py', 'def init():\n    pass\nclass X:\n    def run(self, d):\n        pass\n');
        assert.throws(() => checkScoringScript('scoringScript', q, { python }), /has no top-level run\(\)/);
        const r = write('none.py', '# nothing\n');
        assert.throws(() => checkScoringScript('scoringScript', r, { python }), /has no top-level init\(\) or run\(\)/);
      });
      it('rejects run() without a parameter and init() with a required one', () => {
        assert.throws(() => checkScoringScript('scoringScript', write('r0.py', 'def init():\n  pass\ndef run():\n  pass\n'), { python }), /run\(\) without a parameter/);
        assert.throws(() => checkScoringScript('scoringScript', write('i1.py', 'def init(model):\n  pass\ndef run(d):\n  pass\n'), { python }), /init\(\) with required parameters/);
      });
    });
  }

  it('reports a syntax error with its line (ast)', () => {
    const p = write('bad.py', 'def init():\n    pass\ndef run(data)\n    return 1\n');
    assert.throws(() => checkScoringScript('scoringScript', p), /is not valid Python \(line 3: /);
  });

  it('accepts run bound by assignment (ast)', () => {
    const p = write('assign.py', 'def init():\n    pass\ndef _run(d):\n    return d\nrun = _run\n');
    assert.strictEqual(checkScoringScript('scoringScript', p).method, 'ast');
  });

  describe('in the background (startScoringScriptCheck, what readInputs runs)', () => {
    for (const python of ['python3', 'no-such-python-binary']) {
      const method = python === 'python3' ? 'ast' : 'regex';
      it(`gives the same verdicts as the blocking check (${method})`, async () => {
        assert.deepStrictEqual(await startScoringScriptCheck('scoringScript', write('ok.py', good), { python }), { method });
        await assert.rejects(startScoringScriptCheck('scoringScript', write('noinit.py', 'def run(data):\n    return data\n'), { python }), /^InputError: Input 'scoringScript': '.*noinit\.py' has no top-level init\(\)/);
        await assert.rejects(startScoringScriptCheck('scoringScript', write('r0.py', 'def init():\n  pass\ndef run():\n  pass\n'), { python }), /run\(\) without a parameter/);
      });
    }
    it('reports a syntax error with its line (ast)', async () => {
      await assert.rejects(startScoringScriptCheck('scoringScript', write('bad.py', 'def init():\n    pass\ndef run(data)\n    return 1\n')), /is not valid Python \(line 3: /);
    });
    it('throws at once for a file it cannot read, and a verdict left unawaited is no unhandled rejection', async () => {
      assert.throws(() => startScoringScriptCheck('scoringScript', path.join(dir, 'absent.py')), /^InputError: Input 'scoringScript': '.*absent\.py' cannot be read/);
      const unhandled: unknown[] = [];
      const onUnhandled = (e: unknown): number => unhandled.push(e);
      process.on('unhandledRejection', onUnhandled);
      try {
        const file = write('left.py', '# nothing\n');
        void startScoringScriptCheck('scoringScript', file, { python: 'no-such-python-binary' });
        // the same check started right after it rejects too: by then the first has rejected, unawaited
        await assert.rejects(startScoringScriptCheck('scoringScript', file, { python: 'no-such-python-binary' }), /has no top-level init\(\) or run\(\)/);
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
      assert.deepStrictEqual(unhandled, []);
    });
  });
});
