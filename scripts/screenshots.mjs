// Marketplace screenshots from a real demo run: the summary section each task wrote (dist/demo/summaries,
// made by `npm run demo`), shown as a section of the run's summary tab in Azure DevOps, captured with
// headless Chromium (Debian package `chromium`). Not part of CI; run by hand: node scripts/screenshots.mjs
//
// The markdown goes through markdown-it (CommonMark + GFM tables, a devDependency for this script only)
// rather than a renderer of our own: what a summary's author meets in Azure DevOps is a standard markdown
// engine, so a table cell our summary writer escaped badly, a raw HTML tag or a data: image shows here as
// it would there. The page has the summary tab's limits: inline HTML is rendered, but no script runs, no
// frame loads and nothing is fetched from anywhere (Content-Security-Policy below; Azure DevOps' markdown
// runs no JavaScript or iframes); images come only as data: URIs, as our summaries embed them.
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import MarkdownIt from 'markdown-it';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const summaries = join(root, 'dist', 'demo', 'summaries');
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const md = new MarkdownIt({ html: true, linkify: false, typographer: false });
// markdown-it drops data: links except raster images; our summaries embed SVG charts as data: images,
// which the summary tab shows (the image never leaves the page)
const validateLink = md.validateLink;
md.validateLink = (url) => /^data:image\/svg\+xml;base64,/i.test(url.trim()) || validateLink(url);

const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";
// The summary tab's look: a card per section, titled by the section's name, Segoe UI 14px, bordered tables.
const style = `body{font-family:"Segoe UI",-apple-system,Helvetica,Arial,sans-serif;font-size:14px;line-height:20px;margin:0;background:#f8f8f8;color:rgba(0,0,0,.9)}
.card{background:#fff;margin:16px;border-radius:4px;box-shadow:0 1.6px 3.6px rgba(0,0,0,.13),0 .3px .9px rgba(0,0,0,.11)}
.title{font-weight:600;font-size:14px;padding:12px 20px;border-bottom:1px solid #eaeaea}.title:before{content:"\\2304";display:inline-block;margin-right:10px;color:#666}
.body{padding:4px 20px 16px}table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #e0e0e0;padding:4px 10px;text-align:left;vertical-align:top}
th{font-weight:600;background:#f4f4f4}h1,h2{font-size:20px;font-weight:600;margin:16px 0 8px}h3{font-size:16px;font-weight:600;margin:14px 0 6px}h4{font-size:14px;font-weight:600}
code{font-family:Menlo,Consolas,monospace;font-size:12px;background:#f4f4f4;padding:1px 4px;border-radius:2px}img{max-width:760px}a{color:#0078d4;text-decoration:none}
blockquote{margin:8px 0;padding:2px 12px;border-left:4px solid #e0e0e0;color:#555}ul{margin:4px 0;padding-left:24px}`;

function shoot(name, section, markdown, height) {
  const dir = mkdtempSync(join(tmpdir(), 'shots-'));
  try {
    const html = join(dir, 'page.html');
    writeFileSync(html, `<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP}"><style>${style}</style>`
      + `<div class="card"><div class="title">${esc(section)}</div><div class="body">${md.render(markdown)}</div></div>`);
    const out = join(root, 'images', name);
    const r = spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`,
      '--hide-scrollbars', `--window-size=1000,${height}`, `--screenshot=${out}`, `file://${html}`], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`chromium failed: ${r.stderr}`);
    console.log(`images/${name}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const files = readdirSync(summaries);
/** The summary a demo step wrote; its file name is <stage>-<step>-<name>-<Task>-<section>.md (scripts/demo.ts). */
function summary(pattern) {
  const file = files.find((f) => pattern.test(f));
  if (!file) throw new Error(`no summary matching ${pattern} in ${summaries}: run npm run demo first`);
  return { markdown: readFileSync(join(summaries, file), 'utf8'), section: file.replace(/^\d+-\d+-[^-]+-[A-Za-z]+-/, '').replace(/\.md$/, '') };
}

const SHOTS = [
  ['screenshot-train.png', /^1-1-train-TrainModel-.*\.md$/, 620],
  ['screenshot-register.png', /^1-\d+-register-RegisterModel-.*\.md$/, 620],
  ['screenshot-image.png', /^2-\d+-\w+-CreateImage-.*\.md$/, 560],
  ['screenshot-deploy.png', /^2-\d+-\w+-DeployToACI-.*\.md$/, 560],
  ['screenshot-probe.png', /^2-\d+-\w+-ProbeEndpoint-.*\.md$/, 1000],
  ['screenshot-gate.png', /^3-\d+-\w+-RegisterModel-.*\.md$/, 660],
];
for (const [name, pattern, height] of SHOTS) {
  const s = summary(pattern);
  shoot(name, s.section, s.markdown, height);
}
