// Marketplace screenshots from a real demo run: renders the run-summary pages the tasks wrote
// (dist/demo/summaries, made by `npm run demo`) as Azure DevOps shows them, and captures them with
// headless Chromium (Debian package `chromium`). Not part of CI; run by hand: node scripts/screenshots.mjs
import { readFileSync, readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const summaries = join(root, 'dist', 'demo', 'summaries');
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const inline = (s) => esc(s)
  .replace(/!\[([^\]]*)\]\((data:image\/[^)]+)\)/g, '<img alt="$1" src="$2">')
  .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '<a href="$2">$1</a>')
  .replace(/`([^`]+)`/g, '<code>$1</code>')
  .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>');

// The subset of markdown the summaries use: headings, tables, lists, quotes, paragraphs, images, links.
function markdown(md) {
  const out = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^#{1,6} /.test(l)) { const n = l.indexOf(' '); out.push(`<h${n}>${inline(l.slice(n + 1))}</h${n}>`); continue; }
    if (l.startsWith('|')) {
      const rows = [];
      while (i < lines.length && lines[i].startsWith('|')) rows.push(lines[i++]);
      i--;
      const cells = (r) => r.replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((c) => inline(c.trim().replace(/\\\|/g, '|')));
      out.push('<table><tr>' + cells(rows[0]).map((c) => `<th>${c}</th>`).join('') + '</tr>');
      for (const r of rows.slice(2)) out.push('<tr>' + cells(r).map((c) => `<td>${c}</td>`).join('') + '</tr>');
      out.push('</table>');
      continue;
    }
    if (l.startsWith('- ')) { out.push(`<ul><li>${inline(l.slice(2))}</li></ul>`); continue; }
    if (l.startsWith('> ')) { out.push(`<blockquote>${inline(l.slice(2))}</blockquote>`); continue; }
    if (l.trim()) out.push(`<p>${inline(l)}</p>`);
  }
  return out.join('\n');
}

const style = `body{font-family:"Segoe UI",Helvetica,Arial,sans-serif;font-size:14px;margin:0;background:#f8f8f8;color:#201f1e}
.page{background:#fff;margin:16px;padding:8px 24px 16px;border-radius:4px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
.tab{font-weight:600;font-size:16px;padding:14px 24px 0;color:#0078d4}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #e1dfdd;padding:4px 10px;text-align:left}th{background:#f3f2f1}
h3{font-size:18px}h4{font-size:15px}code{background:#f3f2f1;padding:0 3px}img{max-width:720px}a{color:#0078d4}ul{margin:2px 0}`;

function shoot(name, title, bodyHtml, height) {
  const dir = mkdtempSync(join(tmpdir(), 'shots-'));
  const html = join(dir, 'page.html');
  writeFileSync(html, `<!doctype html><meta charset="utf-8"><style>${style}</style><div class="tab">${esc(title)}</div><div class="page">${bodyHtml}</div>`);
  const out = join(root, 'images', name);
  const r = spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`,
    '--hide-scrollbars', `--window-size=1000,${height}`, `--screenshot=${out}`, `file://${html}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`chromium failed: ${r.stderr}`);
  console.log(`images/${name}`);
}

const files = readdirSync(summaries);
const read = (pattern) => readFileSync(join(summaries, files.find((f) => pattern.test(f))), 'utf8');
shoot('screenshot-probe.png', 'Probe endpoint', markdown(read(/ProbeEndpoint-Probe endpoint\.md$/)), 980);
shoot('screenshot-gate.png', 'Model registration', markdown(read(/^3-8-.*RegisterModel.*\.md$/)), 640);
shoot('screenshot-train.png', 'Azure ML job', markdown(read(/^1-1-train-TrainModel.*\.md$/)), 560);
