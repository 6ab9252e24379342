// Parsing of the references this task is given or builds: Azure ML model ids, model URIs, and
// container image references (parsed as Docker does, not by splitting on ':').
import { InputError, quote } from '../../shared/src/inputs';

export interface ModelRef {
  name: string;
  version: string;
}

const AML_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$/;
// Model versions are strings in AML (RegisterModel makes integers); keep them path- and tag-friendly.
const AML_VERSION = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

/** `azureml:<name>:<version>` (also the `azureml:/subscriptions/.../models/<name>/versions/<v>` ARM id form). */
export function parseModelId(input: string, value: string): ModelRef {
  const v = value.trim();
  const arm = /^(?:azureml:)?\/?subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+\/models\/([^/]+)\/versions\/([^/]+)$/i.exec(v);
  const short = /^azureml:([^:@/]+):([^:@/]+)$/.exec(v);
  const m = arm ?? short;
  if (!m) {
    if (/^azureml:[^:]+@latest$/i.test(v)) {
      throw new InputError(input, `${quote(v)} asks for the latest version; an image must be built from one fixed model version`, "'azureml:<name>:<version>'");
    }
    throw new InputError(input, `${quote(v)} is not a model id`, "'azureml:<name>:<version>', e.g. 'azureml:churn-model:3'");
  }
  return { name: modelName(input, m[1]), version: modelVersion(input, m[2]) };
}

export function modelName(input: string, value: string): string {
  if (!AML_NAME.test(value)) {
    throw new InputError(input, `model name ${quote(value)} is not a valid Azure ML name`, "1-255 letters, digits, '-' or '_', starting with a letter or digit");
  }
  return value;
}

export function modelVersion(input: string, value: string): string {
  if (!AML_VERSION.test(value)) {
    throw new InputError(input, `model version ${quote(value)} is not valid`, "a version such as '3' (letters, digits, '.', '-', '_')");
  }
  return value;
}

/** Where a model version's files live. */
export type ModelLocation =
  | { kind: 'datastore'; datastore: string; path: string }
  | { kind: 'jobOutput'; job: string; output: string; path: string }
  | { kind: 'blobUrl'; url: string; accountHost: string; container: string; path: string };

/**
 * Parses a model version's `modelUri`:
 *  - `azureml://datastores/<ds>/paths/<p>` (also with the `azureml://subscriptions/…/workspaces/<ws>/` prefix)
 *  - `azureml://jobs/<job>/outputs/<output>[/paths/<p>]`
 *  - `https://<account>.blob.<suffix>/<container>/<p>`
 * Returns undefined for anything else.
 */
export function parseModelUri(uri: string): ModelLocation | undefined {
  const u = uri.trim();
  const ds = /^azureml:\/\/(?:subscriptions\/[^/]+\/resource[gG]roups\/[^/]+\/(?:providers\/Microsoft\.MachineLearningServices\/)?workspaces\/[^/]+\/)?datastores\/([^/]+)\/paths\/(.*)$/i.exec(u);
  if (ds) return { kind: 'datastore', datastore: ds[1], path: trimSlashes(decodeURIComponent(ds[2])) };
  const job = /^azureml:\/\/jobs\/([^/]+)\/outputs\/([^/]+)(?:\/paths\/(.*))?\/?$/i.exec(u);
  if (job) return { kind: 'jobOutput', job: job[1], output: job[2], path: trimSlashes(decodeURIComponent(job[3] ?? '')) };
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  const parts = url.pathname.split('/').filter((p) => p.length > 0).map((p) => decodeURIComponent(p));
  if (!url.hostname.includes('.blob.') || parts.length < 1) return undefined;
  return { kind: 'blobUrl', url: `${url.origin}${url.pathname}`, accountHost: url.host, container: parts[0], path: parts.slice(1).join('/') };
}

function trimSlashes(p: string): string {
  return p.replace(/^\/+/, '').replace(/\/+$/, '');
}

// ---- container images (github.com/distribution/reference grammar) ----

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const REPOSITORY = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);

export interface ImageReference {
  /** Registry host with optional port ('myacr.azurecr.io', 'localhost:5000'); undefined for Docker Hub short names. */
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/**
 * Parses `[registry[:port]/]repo[/repo…][:tag][@sha256:…]` as Docker does: the first component is a
 * registry when it has a '.' or ':' or is 'localhost'; a ':' after the last '/' starts the tag.
 */
export function parseImageReference(ref: string): ImageReference | undefined {
  let rest = ref.trim();
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
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      if (!DOMAIN.test(first)) return undefined;
      registry = first;
      rest = rest.slice(firstSlash + 1);
    }
  }
  if (!REPOSITORY.test(rest) || rest.length > 255) return undefined;
  return { registry, repository: rest, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

export function formatImageReference(r: ImageReference): string {
  return `${r.registry ? r.registry + '/' : ''}${r.repository}${r.tag !== undefined ? ':' + r.tag : ''}${r.digest ? '@' + r.digest : ''}`;
}

/** Validates the `imageName` input: a repository path only (no registry, tag or digest). */
export function imageNameInput(input: string, value: string): string {
  const v = value.trim();
  const expected = "a repository path: lower-case letters, digits and '.', '_', '__', '-' between them, '/' between components, at most 255 characters (no registry, tag or digest)";
  const first = v.split('/')[0];
  const looksLikeRegistry = v.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (REPOSITORY.test(v) && v.length <= 255 && !looksLikeRegistry) return v;
  const parsed = parseImageReference(v);
  if (parsed && (parsed.tag !== undefined || parsed.digest !== undefined || parsed.registry)) {
    throw new InputError(input, `${quote(v)} includes a registry, tag or digest; give the registry in 'containerRegistry' and the tag in 'imageTag'`, expected);
  }
  throw new InputError(input, `${quote(v)} is not a valid image name`, expected);
}

export function imageTagInput(input: string, value: string): string {
  const v = value.trim();
  if (!TAG.test(v)) {
    throw new InputError(input, `${quote(v)} is not a valid image tag`, "1-128 characters of letters, digits, '_', '.' or '-', not starting with '.' or '-'");
  }
  return v;
}

/** Default image name from a model name: lower-case, separators collapsed so the Docker grammar holds. */
export function defaultImageName(model: string): string {
  const s = model
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/([._-])[._-]+/g, '$1')
    .replace(/^[._-]+|[._-]+$/g, '');
  return s.length > 0 ? s.slice(0, 255).replace(/[._-]+$/, '') : 'model';
}

/** Default tag `<modelVersion>-<buildId>` (or just the version), with characters a tag cannot hold replaced. */
export function defaultImageTag(version: string, buildId: string | undefined): string {
  const raw = buildId ? `${version}-${buildId}` : version;
  const s = raw.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]+/, '');
  return (s.length > 0 ? s : 'v' + raw.replace(/[^A-Za-z0-9_.-]/g, '')).slice(0, 128);
}
