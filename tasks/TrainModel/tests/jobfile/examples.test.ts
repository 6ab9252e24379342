// The job files of examples/jobs (the README's sweep and pipeline, the demo's): the official client loads them
// (azure-ai-ml 1.4 offline, as in oracle.test.ts) and our module plans them with every reference resolved.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { planJobFile } from '../../src/jobfile';
import { FakeReader, HERE, runOracle } from './harness';

const REPO = path.resolve(HERE, '..', '..', '..', '..');
const DIR = path.join(REPO, 'examples', 'jobs');

describe('jobfile: the example job files (examples/jobs)', function () {
  this.timeout(120_000);
  const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.yml')).sort();

  it('are a sweep and a pipeline', () => assert.deepEqual(files, ['pipeline.yml', 'sweep.yml']));

  for (const f of files) {
    it(`${f}: the official client loads it and our module plans it`, async function () {
      const verdict = runOracle([{ file: path.join(DIR, f), overrides: [] }]);
      if (typeof verdict === 'string') {
        console.log(`      ${verdict}`);
        this.skip();
      }
      assert.ok(verdict[0].body, `azure-ai-ml refused ${f}: ${verdict[0].error}`);
      const plan = await planJobFile({ jobFile: path.join(DIR, f), repositoryRoot: REPO, reader: new FakeReader() });
      assert.equal(plan.type, f.replace('.yml', ''));
      assert.equal(plan.codes.length, 1);
      assert.equal(plan.environments.length, 1, 'the inline environment');
    });
  }
});
