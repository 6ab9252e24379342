// Container image references parsed as Docker does (github.com/distribution/reference grammar), not by
// splitting on ':' — a registry can carry a port (`host:5000/repo:tag`) and a digest (`@sha256:…`).

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
export const REPOSITORY = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const DIGEST = /^sha256:[a-f0-9]{64}$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);

export interface ImageReference {
  /** Registry host with optional port, lower-cased ('myacr.azurecr.io', 'localhost:5000'); 'docker.io' for short names. */
  registry: string;
  /** True when the reference named no registry (Docker Hub). */
  implicitRegistry: boolean;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Parses `[registry[:port]/]repo[/repo…][:tag][@sha256:…]`; undefined when it is not a valid reference. */
export function parseImageReference(ref: string): ImageReference | undefined {
  let rest = ref.trim();
  if (rest.length === 0 || /\s/.test(rest) || rest.includes('://')) return undefined;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  let registry: string | undefined;
  const firstSlash = rest.indexOf('/');
  if (firstSlash >= 0) {
    const first = rest.slice(0, firstSlash);
    // Docker's rule: the first component is a registry when it has a '.' or ':' or is 'localhost'
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      if (!DOMAIN.test(first)) return undefined;
      registry = first.toLowerCase();
      rest = rest.slice(firstSlash + 1);
    }
  }
  if (!REPOSITORY.test(rest) || rest.length > 255) return undefined;
  return {
    registry: registry ?? 'docker.io',
    implicitRegistry: registry === undefined,
    repository: rest,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** The reference as text; an implicit Docker Hub registry stays implicit. */
export function formatImageReference(r: Pick<ImageReference, 'repository' | 'tag' | 'digest'> & { registry?: string; implicitRegistry?: boolean }): string {
  const registry = r.registry && !r.implicitRegistry ? `${r.registry}/` : '';
  return `${registry}${r.repository}${r.tag !== undefined ? ':' + r.tag : ''}${r.digest ? '@' + r.digest : ''}`;
}

/** The registry host without its port ('myacr.azurecr.io'). */
export function registryHostName(r: ImageReference): string {
  return r.registry.replace(/:\d+$/, '');
}
