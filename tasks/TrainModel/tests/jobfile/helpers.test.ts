// The small pieces that must print as Python prints (floats, durations, json.dumps) are checked against
// /usr/bin/python3 itself; overrides and positions against hand-written expectations.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { applyOverrides, parseOverrides } from '../../src/jobfile/overrides';
import { pythonJsonDumps } from '../../src/jobfile/pythonJson';
import { isoDuration } from '../../src/jobfile/references';
import { commandJob } from '../../src/jobfile/schema';
import { parseJobFile } from '../../src/jobfile/source';
import { pythonFloat, validateObject } from '../../src/jobfile/validate';

const PYTHON = '/usr/bin/python3';

function python(script: string, arg: unknown): unknown {
  const r = spawnSync(PYTHON, ['-c', script, JSON.stringify(arg)], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as unknown;
}

describe('jobfile helpers', function () {
  this.timeout(60_000);
  const havePython = fs.existsSync(PYTHON);

  it('pythonFloat prints what repr(float) prints', function () {
    if (!havePython) this.skip();
    const xs = [0.1, 1, 1.5, 1e-5, 0.0001, 0.00015, 123456789012345.6, 1e16, 1.5e16, 2.5e-7, -0.01, 1e22, 3.141592653589793, 100, 0];
    const expected = python('import json,sys; print(json.dumps([repr(float(x)) for x in json.loads(sys.argv[1])]))', xs) as string[];
    assert.deepEqual(xs.map(pythonFloat), expected);
  });

  it('isoDuration writes what isodate.duration_isoformat(timedelta(seconds)) writes', function () {
    if (!havePython) this.skip();
    const secs = [60, 90, 600, 3600, 3661, 5400, 7200, 86400, 90000, 1];
    const expected = python('import json,sys,isodate,datetime; print(json.dumps([isodate.duration_isoformat(datetime.timedelta(seconds=s)) for s in json.loads(sys.argv[1])]))', secs) as string[];
    assert.deepEqual(secs.map(isoDuration), expected);
  });

  it('pythonJsonDumps equals json.dumps(sort_keys=True), non-ASCII included', function () {
    if (!havePython) this.skip();
    const v = { b: [1, 'ü', { z: null, a: true }], a: 'say "hi"\n\t😀', c: 0.5, d: -3 };
    const expected = python('import json,sys; print(json.dumps(json.dumps(json.loads(sys.argv[1]), sort_keys=True)))', v) as string;
    assert.equal(pythonJsonDumps(v), expected);
  });

  it('an override creates the mappings a file leaves out, and errors inside it name its line', () => {
    const src = parseJobFile('job.yml', 'command: x\nenvironment: azureml:e:1\ncompute: azureml:c\n');
    applyOverrides(src, commandJob, parseOverrides('\n# comment\nlimits.timeout=600\ndistribution.type=horovod\n'));
    assert.deepEqual((src.doc.toJS() as { limits: unknown }).limits, { timeout: 600 });
    assert.throws(() => validateObject(src, src.doc.contents as never, commandJob, []), /Input 'jobOverrides': jobOverrides line 4: distribution\.type must be a distribution \(pytorch, mpi, tensorflow\), not the string 'horovod'/);
  });

  it('a duplicated key is a YAML error with its place', () => {
    assert.throws(() => parseJobFile('job.yml', 'command: a\ncommand: b\n'), /Input 'jobFile': job\.yml line 2, column 1: is not valid YAML: Map keys must be unique/);
  });

  it('scalars read as PyYAML reads them: y/n and 1e-5 are strings, yes/on booleans', () => {
    const src = parseJobFile('job.yml', 'a: y\nb: n\nc: 1e-5\nd: 1.0e-5\ne: on\nf: 0x1F\n');
    assert.deepEqual(src.doc.toJS(), { a: 'y', b: 'n', c: '1e-5', d: 0.00001, e: true, f: 31 });
  });
});
