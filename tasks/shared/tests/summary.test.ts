import './helpers';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as sinon from 'sinon';
import * as tl from 'azure-pipelines-task-lib/task';
import { escapeCell, MarkdownSummary } from '../src/summary';
import { stubAgent, tmpDir } from './helpers';

describe('summary', () => {
  const sb = sinon.createSandbox();
  afterEach(() => sb.restore());

  it('builds headings, paragraphs, links and tables with escaped cells', () => {
    const md = new MarkdownSummary()
      .heading('Model *v1*')
      .paragraph('Trained.')
      .link('Open job', 'https://ml.azure.com/runs/j 1?wsid=/x')
      .table(['Metric', 'Value'], [['a|b', 'line1\nline2'], ['only one']])
      .toString();
    assert.equal(
      md,
      '## Model \\*v1\\*\n\nTrained.\n\n[Open job](https://ml.azure.com/runs/j%201?wsid=/x)\n\n| Metric | Value |\n| --- | --- |\n| a\\|b | line1 line2 |\n| only one |  |\n',
    );
    assert.equal(escapeCell('x|y\r\nz'), 'x\\|y z');
    assert.equal(new MarkdownSummary().heading('t', 9).toString(), '###### t\n');
  });

  it('embeds images as data URIs (SVG and PNG)', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2]);
    const md = new MarkdownSummary().image('chart', 'c.svg', '<svg/>').image('pic', 'p.png', png).toString();
    assert.match(md, /!\[chart\]\(data:image\/svg\+xml;base64,PHN2Zy8\+\)/);
    assert.match(md, /!\[pic\]\(data:image\/png;base64,/);
  });

  it('write() stores <title>.md in Agent.TempDirectory, writes images and uploads the summary', () => {
    const dir = tmpDir();
    stubAgent(sb, { variables: { 'Agent.TempDirectory': dir } });
    const upload = sb.stub(tl, 'uploadSummary');
    const file = new MarkdownSummary().paragraph('hi').image('c', 'chart.svg', '<svg/>').write('Train: model/v1');
    assert.equal(file, path.join(dir, 'Train- model-v1.md'));
    assert.equal(fs.readFileSync(file, 'utf8'), 'hi\n\n![c](data:image/svg+xml;base64,PHN2Zy8+)\n');
    assert.equal(fs.readFileSync(path.join(dir, 'chart.svg'), 'utf8'), '<svg/>');
    assert.ok(upload.calledOnceWith(file));
  });
});
