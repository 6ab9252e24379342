// A markdown section for the run's summary page (tl.uploadSummary). The section's title is the
// file name the agent sees, so write(title) names the file after the title.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { untrusted } from './untrusted';

/**
 * Markdown the task wrote itself (a link it built): put into a cell as it is. Every plain string is text,
 * possibly from outside, and is escaped.
 */
export class Markdown {
  constructor(readonly text: string) {}
}

/**
 * Plain text as markdown that shows it literally: neutralised (untrusted.ts), one line, and every character
 * markdown acts on escaped — `[ ] ( ) !` (a link or an image that would fetch a remote URL when the summary
 * is opened), `< >` (HTML), emphasis, code and `|` (it would end a table cell).
 */
export function escapeMarkdown(text: string): string {
  return untrusted(text).replace(/([\\`*_[\]()!<>|#~])/g, '\\$1');
}

/** Escapes a table cell: plain text with escapeMarkdown; the task's own Markdown keeps its syntax, '|' and line breaks made safe. */
export function escapeCell(cell: string | Markdown): string {
  if (cell instanceof Markdown) return untrusted(cell.text.replace(/\r?\n/g, '<br>')).replace(/\|/g, '\\|');
  return escapeMarkdown(cell);
}

const escapeText = escapeMarkdown;

export class MarkdownSummary {
  private readonly parts: string[] = [];
  private readonly files: { name: string; data: Buffer }[] = [];

  heading(text: string, level = 2): this {
    const l = Math.min(Math.max(Math.trunc(level), 1), 6);
    this.parts.push(`${'#'.repeat(l)} ${escapeText(text)}`);
    return this;
  }

  /** Markdown the task wrote; any part of it from outside goes through escapeMarkdown first. Neutralised as a whole. */
  paragraph(text: string): this {
    this.parts.push(text.split(/\r?\n/).map((l) => untrusted(l)).join('\n'));
    return this;
  }

  table(headers: string[], rows: (string | Markdown)[][]): this {
    const row = (r: (string | Markdown)[]): string => `| ${headers.map((_, i) => escapeCell(r[i] ?? '')).join(' | ')} |`;
    this.parts.push([row(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map(row)].join('\n'));
    return this;
  }

  link(text: string, url: string): this {
    this.parts.push(MarkdownSummary.linkText(text, url).text);
    return this;
  }

  /** Markdown for a link, for use inside table cells (or `.text` in paragraphs). */
  static linkText(text: string, url: string): Markdown {
    return new Markdown(`[${escapeText(text)}](${untrusted(url).replace(/[()<> ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)})`);
  }

  /**
   * An image embedded as a data URI (the summary page shows only the uploaded markdown, not files next to
   * it); the file is also written next to the summary for anyone who downloads the logs.
   */
  image(alt: string, fileName: string, svgOrPng: string | Buffer): this {
    const data = typeof svgOrPng === 'string' ? Buffer.from(svgOrPng, 'utf8') : svgOrPng;
    const isPng = data.length > 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const mime = isPng ? 'image/png' : 'image/svg+xml';
    this.files.push({ name: path.basename(fileName), data });
    this.parts.push(`![${escapeText(alt)}](data:${mime};base64,${data.toString('base64')})`);
    return this;
  }

  toString(): string {
    return this.parts.join('\n\n') + '\n';
  }

  /** Writes `<Agent.TempDirectory>/<title>.md`, uploads it as a summary section and returns its path. */
  write(title: string): string {
    const dir = tl.getVariable('Agent.TempDirectory') || os.tmpdir();
    fs.mkdirSync(dir, { recursive: true });
    const safe = title.replace(/[\\/:*?"<>|\r\n]+/g, '-').trim() || 'Summary';
    const file = path.join(dir, `${safe}.md`);
    fs.writeFileSync(file, this.toString(), 'utf8');
    for (const f of this.files) fs.writeFileSync(path.join(dir, f.name), f.data);
    tl.uploadSummary(file);
    return file;
  }
}
