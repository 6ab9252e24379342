import './helpers';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { tmpDir } from './helpers';

interface Run {
  code: number | null;
  out: string;
  ms: number;
}

function runFixture(mode: string, signals: NodeJS.Signals[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'cancelFixture.js'), mode], {
      env: { ...process.env, AGENT_TEMPDIRECTORY: tmpDir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let sentAt = 0;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!sentAt && out.includes('READY')) {
        sentAt = Date.now();
        signals.forEach((s, i) => setTimeout(() => child.kill(s), i * 200));
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 15000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, out, ms: Date.now() - sentAt });
    });
  });
}

describe('cancellation (child process)', function () {
  this.timeout(30000);

  it('first SIGINT aborts the signal, runs clean-ups, reports Cancelled and exits 0 quickly', async () => {
    const r = await runFixture('fast', ['SIGINT']);
    assert.equal(r.code, 0, r.out);
    assert.ok(r.ms < 3000, `took ${r.ms} ms`);
    assert.match(r.out, /Received SIGINT: cancelling; 1 clean-up step/);
    assert.match(r.out, /SIGNAL ABORTED/);
    assert.match(r.out, /REMOTE CANCEL SENT/);
    assert.match(r.out, /Cancel: cancel AML job 'j1': done\./);
    assert.match(r.out, /##vso\[task\.complete result=Cancelled;\]The pipeline cancelled the task \(SIGINT\)/);
    assert.doesNotMatch(r.out, /SHOULD NOT RUN/);
  });

  it('a task that only uses cancellationSignal() (no clean-up) still reports Cancelled and exits on SIGINT', async () => {
    const r = await runFixture('signal-only', ['SIGINT']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SIGNAL ABORTED/);
    assert.match(r.out, /##vso\[task\.complete result=Cancelled/);
    assert.ok(r.ms < 7500, `exited ${r.ms} ms after the signal`);
  });

  it('a clean-up that hangs is cut at 5 s and the process still exits well before 7.5 s', async () => {
    const r = await runFixture('slow', ['SIGINT']);
    assert.equal(r.code, 0, r.out);
    assert.ok(r.ms >= 4900 && r.ms < 6500, `took ${r.ms} ms`);
    assert.match(r.out, /did not finish within 5 s/);
    assert.match(r.out, /result=Cancelled/);
  });

  it('a failing clean-up is reported and SIGTERM works too', async () => {
    const r = await runFixture('fail', ['SIGTERM']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Received SIGTERM/);
    assert.match(r.out, /Cancel: cancel AML job 'j1': failed: remote cancel refused/);
    assert.match(r.out, /result=Cancelled/);
  });

  it('a second signal during clean-up stops immediately', async () => {
    const r = await runFixture('slow', ['SIGINT', 'SIGTERM']);
    assert.equal(r.code, 0, r.out);
    assert.ok(r.ms < 2000, `took ${r.ms} ms`);
    assert.match(r.out, /Received SIGTERM again; stopping now/);
    assert.match(r.out, /result=Cancelled/);
  });
});
