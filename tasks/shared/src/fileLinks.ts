// Files that leave the folder they are read from. A pull request can add `src/x -> ../../../.credentials`:
// reading the folder naively follows the link and uploads an agent file (to the datastore, into an image).
// A symbolic link whose real path stays inside the folder is followed; one that leaves it is refused
// with one line naming the file and where the link leads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from './errors';

function inside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/**
 * Throws an InputError naming `inputName` when `file` (`rel` inside `root`) resolves, through any symbolic
 * link on its way, to a path outside `root`. Both sides are real paths, so a root that is itself reached
 * through a link (a symlinked agent work folder) is compared fairly. A dangling link is left to the caller.
 */
export function refuseLinkOutside(o: { inputName: string; root: string; file: string; rel: string; rootDescription?: string; expected?: string }): void {
  let realRoot: string;
  let real: string;
  try {
    realRoot = fs.realpathSync(o.root);
    real = fs.realpathSync(o.file);
  } catch {
    return;
  }
  if (inside(realRoot, real)) return;
  throw new InputError(
    o.inputName,
    `'${o.rel}' is a symbolic link to ${real}, outside ${o.rootDescription ?? `the folder ${o.root}`}: refusing to read it`,
    o.expected ?? 'files inside the folder (copy the file in instead of linking to it, or list the link in .amlignore)',
  );
}
