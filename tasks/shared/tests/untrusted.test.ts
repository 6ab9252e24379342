// The neutraliser (issue 15 item 1): every string from outside reaches stdout and summaries through it.
import './helpers';
import * as assert from 'node:assert/strict';
import { formatTable, group, printTable, printUntrusted } from '../src/log';
import { failureMessage } from '../src/runner';
import { escapeCell, escapeMarkdown, Markdown, MarkdownSummary } from '../src/summary';
import { displayUri, untrusted, untrustedLines } from '../src/untrusted';
import { agentDirectives, captureStdout, HOSTILE } from './helpers';
import { describeAzureError } from '../src/errors';

describe('untrusted text', () => {
  it('untrusted: one line, no command, no format marker, a lone CR included', () => {
    const s = untrusted(HOSTILE);
    assert.doesNotMatch(s, /[\r\n]/);
    assert.deepEqual(agentDirectives(s), []);
    assert.equal(untrusted('a\u2028b\u0000c\u001bd\u0085e'), 'a b c d e');
    assert.equal(untrusted(untrusted(HOSTILE)), untrusted(HOSTILE), 'idempotent');
    assert.equal(untrusted('##\rvso[task.complete]'), '## vso[task.complete]', 'a marker cannot be assembled from pieces');
    assert.equal(untrusted(undefined), '');
  });

  it('untrustedLines keeps lines (CR and CRLF become LF) and neutralises every one of them', () => {
    const s = untrustedLines(HOSTILE);
    assert.equal(s.split('\n').length, 3);
    assert.doesNotMatch(s, /\r/);
    assert.deepEqual(agentDirectives(s), []);
    assert.match(s, /##_vso\[task\.setvariable/, 'visible, not executed');
  });

  it('printUntrusted: a log tail with a lone CR before ##[error] prints no directive', async () => {
    const { out } = await captureStdout(() => printUntrusted(`epoch 1\r##[error]fake\n${HOSTILE}`));
    assert.deepEqual(agentDirectives(out), []);
  });

  it('tables (log and summary) neutralise every cell, a lone CR included', async () => {
    assert.deepEqual(agentDirectives(formatTable(['metric', 'value'], [[HOSTILE, '1']])), []);
    const { out } = await captureStdout(() => printTable(['a'], [['x\r##[warning]y']]));
    assert.deepEqual(agentDirectives(out), []);
    const md = new MarkdownSummary().heading(HOSTILE).table(['k', 'v'], [[HOSTILE, 'v']]).paragraph(`**Error:** ${escapeMarkdown(HOSTILE)}`).toString();
    assert.deepEqual(agentDirectives(md), []);
  });

  it('group titles are neutralised', async () => {
    const { out } = await captureStdout(() => group(`log of ${HOSTILE}`, async () => undefined));
    const d = agentDirectives(out);
    assert.equal(d.length, 2, out);
    assert.ok(d[0].startsWith('##[group]log of ok ') && !d[0].includes('##vso['), d[0]);
    assert.equal(d[1], '##[endgroup]');
  });

  it('summary cells escape [ ] ( ) ! < > (no link, image or HTML from outside); links the task builds stay links', () => {
    assert.equal(escapeCell('![x](https://evil.example/p.png) <img src=x> [a](b)'), '\\!\\[x\\]\\(https://evil.example/p.png\\) \\<img src=x\\> \\[a\\]\\(b\\)');
    assert.equal(escapeCell('a|b\nc'), 'a\\|b c');
    const cell = MarkdownSummary.linkText('job [1]', 'https://ml.azure.com/runs/j (1)');
    assert.ok(cell instanceof Markdown);
    assert.equal(escapeCell(cell), '[job \\[1\\]](https://ml.azure.com/runs/j%20%281%29)');
  });

  it('failure messages and Azure error descriptions are neutralised (the runner and describeAzureError are choke points)', () => {
    const err = Object.assign(new Error(`bad request ${HOSTILE}`), { statusCode: 400, code: 'BadRequest' });
    assert.deepEqual(agentDirectives(describeAzureError(err)), []);
    assert.deepEqual(agentDirectives(failureMessage(err)), []);
  });

  it('displayUri never shows a query string (SAS) or user information', () => {
    assert.equal(displayUri('https://acct.blob.core.windows.net/c/model.pkl?sv=2022&sig=abc%2B'), 'https://acct.blob.core.windows.net/c/model.pkl?<query hidden>');
    assert.equal(displayUri('https://u:p4ss@host/x'), 'https://host/x');
    assert.equal(displayUri('azureml://datastores/ws/paths/m'), 'azureml://datastores/ws/paths/m');
    assert.equal(displayUri('not a url?sig=x'), 'not a url?<query hidden>');
    assert.deepEqual(agentDirectives(displayUri(`azureml://jobs/x/outputs/${HOSTILE}`)), []);
  });
});
