import './helpers';
import * as assert from 'node:assert/strict';
import { formatTable, group, printTable, printUntrusted } from '../src/log';
import { captureStdout } from './helpers';

describe('log', () => {
  it('group wraps output in ##[group]/##[endgroup] and returns the value', async () => {
    const { result, out } = await captureStdout(() => group('Job logs\nx', async () => {
      console.log('inside');
      return 5;
    }));
    assert.equal(result, 5);
    assert.equal(out, '##[group]Job logs x\ninside\n##[endgroup]\n');
  });

  it('group closes the section when fn throws', async () => {
    let out = '';
    await assert.rejects(
      (async () => {
        const r = await captureStdout(async () => {
          try {
            await group('g', async () => {
              throw new Error('boom');
            });
          } catch (e) {
            return e;
          }
          return undefined;
        });
        out = r.out;
        throw r.result;
      })(),
      /boom/,
    );
    assert.match(out, /##\[endgroup\]/);
  });

  it('formatTable aligns columns', () => {
    assert.equal(formatTable(['Name', 'State'], [['job-1', 'Running'], ['j', 'Done\nok']]), 'Name   State\n-----  -------\njob-1  Running\nj      Done ok');
  });

  it('printTable prints the formatted table', async () => {
    const { out } = await captureStdout(() => printTable(['A'], [['1']]));
    assert.equal(out, 'A\n-\n1\n');
  });

  it('printUntrusted neutralises ##vso commands from remote logs', async () => {
    const { out } = await captureStdout(() => printUntrusted('line ##vso[task.setvariable variable=x]evil'));
    assert.doesNotMatch(out, /##vso\[task\.setvariable/);
    assert.match(out, /line /);
    assert.match(out, /evil\n$/);
  });
});
