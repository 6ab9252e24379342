// The run summary section: what was built (or reused) from which model.
import { MarkdownSummary } from '../../shared/src/summary';
import type { ImageResult } from './image';
import type { ResolvedModel } from './model';

export function writeSummary(o: {
  model: ResolvedModel;
  studioModelUrl: string;
  imageUri: string;
  result: ImageResult;
  contextHash: string;
  contextFiles: number;
  modelFromCache: boolean;
}): void {
  const s = new MarkdownSummary();
  s.heading('Scoring image');
  s.table(['', ''], [
    ['Model', MarkdownSummary.linkText(o.model.id, o.studioModelUrl)],
    ['Image', `\`${o.imageUri}\``],
    ['Digest', `\`${o.result.digest}\``],
    ['Build', o.result.reused ? `reused the image built from the same context (tag \`${o.result.contextTag}\`)` : `ACR run \`${o.result.runId ?? ''}\``],
    ['Context', `${o.contextFiles} files, sha256 \`${o.contextHash.slice(0, 12)}\``],
    ['Model files', o.modelFromCache ? 'from the agent tool cache' : 'downloaded from the datastore'],
  ]);
  s.write('Scoring image');
}
