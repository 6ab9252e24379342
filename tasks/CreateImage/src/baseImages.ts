// The base images of the build context (every FROM of its Dockerfile) and the digest each stands for, so the reuse
// key changes when a base tag moves: an image built on `base:1` is not reused once `base:1` points at other content.
//
// - A FROM pinned by digest (`…@sha256:…`) is its own digest.
// - A FROM in the target registry is resolved through that registry's data plane (HEAD of the manifest), with the
//   token the task already uses for the registry.
// - Any other registry (mcr.microsoft.com, Docker Hub, …) is not asked: the task sends its tokens only to the
//   connection's own registry hosts, and such registries need their own (often anonymous) token flow. Its
//   reference is hashed as written, so a moved external tag does NOT make a new image; the task says so in one
//   line, and the README recommends pinning an external base by digest.
import { parseImageReference } from '../../shared/src/imageReference';

export interface BaseImage {
  /** The FROM reference with build-time ARG defaults substituted. */
  reference: string;
  /** 'pinned': digest in the reference; 'resolved': looked up in the target registry; 'asWritten': not resolvable here. */
  kind: 'pinned' | 'resolved' | 'asWritten';
  /** The digest hashed into the reuse key (undefined for 'asWritten', and for a tag the registry lacks). */
  digest?: string;
}

/** Resolves `repo:tag` in the target registry to its digest (undefined when the registry has no such tag). */
export type DigestLookup = (repository: string, reference: string) => Promise<string | undefined>;

/**
 * The base image references of a Dockerfile, in order: FROM arguments with the ARG defaults declared before the
 * first FROM substituted (Docker's rule for FROM), without `scratch` and without references to earlier stages.
 */
export function fromReferences(dockerfile: string): string[] {
  const args = new Map<string, string>();
  const stages = new Set<string>();
  const out: string[] = [];
  let seenFrom = false;
  const lines = dockerfile.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const op = m[1].toUpperCase();
    if (op === 'ARG' && !seenFrom) {
      for (const part of m[2].split(/\s+/)) {
        const eq = part.indexOf('=');
        if (eq > 0) args.set(part.slice(0, eq), part.slice(eq + 1).replace(/^"(.*)"$/, '$1'));
      }
    } else if (op === 'FROM') {
      seenFrom = true;
      const words = m[2].split(/\s+/).filter((w) => !w.startsWith('--'));
      const ref = (words[0] ?? '').replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_s, a?: string, b?: string) => args.get((a ?? b) as string) ?? '');
      if (words[1]?.toLowerCase() === 'as' && words[2]) stages.add(words[2].toLowerCase());
      if (!ref || ref.toLowerCase() === 'scratch' || stages.has(ref.toLowerCase())) continue;
      out.push(ref);
    }
  }
  return out;
}

/** What each base image stands for; `lookup` is asked only for images of `loginServer`. */
export async function resolveBaseImages(dockerfile: string, loginServer: string, lookup: DigestLookup): Promise<BaseImage[]> {
  const out: BaseImage[] = [];
  for (const reference of fromReferences(dockerfile)) {
    const ref = parseImageReference(reference);
    if (ref?.digest) {
      out.push({ reference, kind: 'pinned', digest: ref.digest });
    } else if (ref && !ref.implicitRegistry && ref.registry.toLowerCase() === loginServer.toLowerCase()) {
      const digest = await lookup(ref.repository, ref.tag ?? 'latest');
      out.push({ reference, kind: 'resolved', ...(digest ? { digest } : {}) });
    } else {
      out.push({ reference, kind: 'asWritten' });
    }
  }
  return out;
}

/** One line per base image for the reuse key: the reference and the digest it stands for. */
export function baseImageKey(bases: readonly BaseImage[]): string {
  return bases.map((b) => `FROM ${b.reference}${b.digest ? ` ${b.digest}` : ''}\n`).join('');
}
