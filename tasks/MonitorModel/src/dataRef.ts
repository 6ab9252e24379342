// Where a data input points, parsed without touching Azure: a datastore path (the short
// `azureml://datastores/<ds>/paths/<p>` or the long `azureml://subscriptions/…/workspaces/<ws>/datastores/<ds>/paths/<p>`
// form Azure ML writes into data assets), a data asset (`azureml:<name>:<version>`, `<name>:<version>`,
// `<name>@latest`, `<name>`), or a blob URL (only inside a data asset: a user's input never sends a token to a
// host it names). Azure ML's URI forms: azure-ai-ml `_artifact_utilities` / docs "Access data in a job".

export type DataRef =
  | { kind: 'datastorePath'; datastore: string; path: string; text: string }
  | { kind: 'asset'; name: string; version?: string; text: string }
  | { kind: 'blobUrl'; url: URL; text: string };

const ASSET_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;
const VERSION = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;
const SHORT = /^azureml:\/\/datastores\/([^/]+)\/paths\/(.*)$/i;
/** A data version's ARM id (what TrainModel and azure-ai-ml put in a job's input), or its azureml://locations/… form. */
const ASSET_ID = /^(?:azureml:\/\/locations\/[^/]+\/workspaces\/[^/]+|\/subscriptions\/[^/]+\/resource[gG]roups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+)\/data\/([^/]+)\/versions\/([^/]+)$/i;
const LONG = /^azureml:\/\/subscriptions\/[^/]+\/resource[gG]roups\/[^/]+\/workspaces\/[^/]+\/datastores\/([^/]+)\/paths\/(.*)$/i;

export const DATA_REF_FORMS = "a data asset ('name', 'name:version' or 'azureml:name:version') or a datastore path ('azureml://datastores/<datastore>/paths/<folder or file>')";

/** The reference, or a reason it is not one (the caller names the input). */
export function parseDataRef(text: string, o: { allowUrl?: boolean } = {}): DataRef | string {
  const t = text.trim();
  const path = SHORT.exec(t) ?? LONG.exec(t);
  if (path) {
    const p = decodeURIComponent(path[2]).replace(/^\/+/, '');
    if (p.split('/').some((s) => s === '..')) return `'${t}' has '..' in its path`;
    return { kind: 'datastorePath', datastore: path[1], path: p, text: t };
  }
  const id = ASSET_ID.exec(t);
  if (id) return { kind: 'asset', name: id[1], version: id[2], text: `${id[1]}:${id[2]}` };
  if (/^azureml:\/\//i.test(t)) return `'${t}' is an azureml:// URI this task cannot read (only datastore paths)`;
  if (/^https?:\/\//i.test(t)) {
    if (!o.allowUrl) return `'${t}' is a URL; name the data through a datastore or a data asset so the workspace's credentials are used`;
    try {
      return { kind: 'blobUrl', url: new URL(t), text: t };
    } catch {
      return `'${t}' is not a valid URL`;
    }
  }
  const asset = t.replace(/^azureml:/i, '');
  const at = /^(.+)@latest$/i.exec(asset);
  if (at && ASSET_NAME.test(at[1])) return { kind: 'asset', name: at[1], text: t };
  const colon = asset.lastIndexOf(':');
  if (colon > 0) {
    const name = asset.slice(0, colon);
    const version = asset.slice(colon + 1);
    if (ASSET_NAME.test(name) && VERSION.test(version)) return { kind: 'asset', name, version, text: t };
    return `'${t}' is not a data asset 'name:version'`;
  }
  if (ASSET_NAME.test(asset)) return { kind: 'asset', name: asset, text: t };
  return `'${t}' is not a data asset name or datastore path`;
}

/** The collected outputs next to collected inputs: `…-model_inputs` → `…-model_outputs`, `…/model_inputs/` → `…/model_outputs/`. */
export function siblingOutputs(ref: DataRef): DataRef | undefined {
  if (ref.kind === 'asset' && /-model_inputs$/.test(ref.name)) {
    const name = ref.name.replace(/-model_inputs$/, '-model_outputs');
    return { kind: 'asset', name, ...(ref.version ? { version: ref.version } : {}), text: `${name}${ref.version ? `:${ref.version}` : ''}` };
  }
  if (ref.kind === 'datastorePath' && /(^|\/)model_inputs\/?$/.test(ref.path)) {
    const path = ref.path.replace(/model_inputs(\/?)$/, 'model_outputs$1');
    return { kind: 'datastorePath', datastore: ref.datastore, path, text: `azureml://datastores/${ref.datastore}/paths/${path}` };
  }
  return undefined;
}
