// Parsing of the references this task is given or builds: Azure ML model ids, model URIs, image names and tags.
import { InputError, isAmlName, quote } from '../../shared/src/inputs';
import { parseImageReference, REPOSITORY, TAG } from '../../shared/src/imageReference';
import { parseJobOutputUri } from '../../shared/src/jobOutputs';

export interface ModelRef {
  name: string;
  version: string;
}

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
  if (!isAmlName(value)) {
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
 *  - `azureml://jobs/<job>/outputs/<output>[/paths/<p>]`, and `runs:/<job>/<p>` (an MLflow-logged model: output `artifacts`)
 *  - `https://<account>.blob.<suffix>/<container>/<p>`
 * Returns undefined for anything else.
 */
export function parseModelUri(uri: string): ModelLocation | undefined {
  const u = uri.trim();
  const ds = /^azureml:\/\/(?:subscriptions\/[^/]+\/resource[gG]roups\/[^/]+\/(?:providers\/Microsoft\.MachineLearningServices\/)?workspaces\/[^/]+\/)?datastores\/([^/]+)\/paths\/(.*)$/i.exec(u);
  if (ds) return { kind: 'datastore', datastore: ds[1], path: trimSlashes(decodeURIComponent(ds[2])) };
  const job = parseJobOutputUri(u);
  if (job) return { kind: 'jobOutput', ...job };
  if (/^(azureml:\/\/jobs\/|runs:)/i.test(u)) return undefined;
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

/** Validates the `imageName` input: a repository path only (no registry, tag or digest). */
export function imageNameInput(input: string, value: string): string {
  const v = value.trim();
  const expected = "a repository path: lower-case letters, digits and '.', '_', '__', '-' between them, '/' between components, at most 255 characters (no registry, tag or digest)";
  const first = v.split('/')[0];
  const looksLikeRegistry = v.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (REPOSITORY.test(v) && v.length <= 255 && !looksLikeRegistry) return v;
  const parsed = parseImageReference(v);
  if (parsed && (parsed.tag !== undefined || parsed.digest !== undefined || !parsed.implicitRegistry)) {
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
