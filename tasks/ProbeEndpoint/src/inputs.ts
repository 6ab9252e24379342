// Reads and validates every input into one typed object before anything is sent anywhere.
// Secret inputs (authKey, baselineAuthKey) are masked as they are read and never echoed.
import * as tl from 'azure-pipelines-task-lib/task';
import {
  booleanInput,
  enumInput,
  filePathInput,
  InputError,
  integerInput,
  numberInput,
  optionalString,
  quietInput,
  quote,
  secretInput,
  isKeyVaultSecretName,
  isOnlineName,
  KEY_VAULT_SECRET_RULE,
  ONLINE_NAME_RULE,
} from '../../shared/src/inputs';
import { vaultNameOrOrigin } from '../../shared/src/keyvault';
import { parseHeaderLines, secretHeaderValues } from './headers';
import { readJsonDocuments } from '../../shared/src/scoring';

export type KeySource =
  | { kind: 'none' }
  | { kind: 'key'; key: string }
  // the vault is read in main's prepare step, through the service connection (readInputs makes no Azure context)
  | { kind: 'keyVault'; vault: string; secretName: string }
  // an Azure ML online endpoint with authMode AADToken: a Microsoft Entra token of the service connection
  | { kind: 'aadToken' };

export interface ProbeInputs {
  scoringUrl: URL;
  keySource: KeySource;
  /** Azure ML online endpoints: the deployment every request goes to (header azureml-model-deployment). */
  deploymentName?: string;
  headers: Record<string, string>;
  payloadFile: string;
  payloads: unknown[];
  expectedResponseFile?: string;
  expectedResponses?: unknown[];
  tolerance: number;
  expectedStatus: number;
  readinessTimeoutSeconds: number;
  warmupRequests: number;
  requestCount: number;
  concurrency: number;
  requestTimeoutSeconds: number;
  maxLatencyP95Ms?: number;
  maxErrorRate: number;
  baseline?: { url: URL; key?: string };
  minAgreement?: number;
  publishTestResults: boolean;
  testRunTitle: string;
}

/** The header Azure ML online endpoints route by. */
export const DEPLOYMENT_HEADER = 'azureml-model-deployment';

export const LIMITS = {
  requestCount: 100000,
  concurrency: 256,
  warmupRequests: 10000,
  readinessTimeoutSeconds: 3600,
  requestTimeoutSeconds: 600,
};

/** Requests in flight when concurrency is empty (fewer when requestCount is smaller). */
export const DEFAULT_CONCURRENCY = 4;

/** A URL without its query (which may carry a key) for messages and logs. */
export function showUrl(u: URL): string {
  return `${u.origin}${u.pathname}`;
}

/** An absolute http(s) URL; credentials in it are refused (they would be logged and sent in clear). */
export function httpUrl(name: string, value: string): URL {
  const expected = 'an absolute http:// or https:// URL, e.g. http://<fqdn>:5001/score';
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new InputError(name, `${quote(value.split('?')[0])} is not an absolute URL`, expected);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InputError(name, `scheme '${u.protocol.replace(/:$/, '')}' is not supported`, expected);
  if (u.username || u.password) throw new InputError(name, 'must not carry a user name or password', `${expected}; pass the key in authKey`);
  return u;
}

function headerSafeKey(name: string, key: string): string {
  if (/[\r\n\0]/.test(key)) throw new InputError(name, 'contains a line break', 'a single-line key');
  return key;
}

/** Hosts of Azure ML online endpoints' scoring URIs (<endpoint>.<region>.inference.ml.<cloud suffix>). */
const ONLINE_HOST = /^[a-z][-a-z0-9]*\.[a-z0-9]+\.inference\.ml\.[a-z0-9.-]+$/i;
const ONLINE_URI = 'the https:// scoring URI of an Azure ML online endpoint (https://<endpoint>.<region>.inference.ml.azure.com/score)';

function readKeySource(headers: Record<string, string>, scoringUrl: URL): KeySource {
  const auth = enumInput('authType', ['key', 'aadToken'] as const, 'key');
  if (auth === 'aadToken') {
    for (const other of ['authKey', 'keyVault', 'authKeySecret']) {
      if (quietInput(other)) throw new InputError(other, "is set while authType is 'aadToken'", "a key (authType 'key') or an Entra token (authType 'aadToken'), not both");
    }
    if (Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) throw new InputError('headers', "sets 'Authorization' while authType is 'aadToken'", 'no Authorization header: the task sends the token');
    if (!optionalString('azureSubscription')) throw new InputError('azureSubscription', "is empty while authType is 'aadToken'", 'an Azure Resource Manager service connection whose identity may score the endpoint');
    // the connection's token goes only to an Azure ML online endpoint, over TLS
    if (scoringUrl.protocol !== 'https:' || !ONLINE_HOST.test(scoringUrl.hostname)) {
      throw new InputError('scoringUri', `${quote(showUrl(scoringUrl))} is not an Azure ML online endpoint, and authType 'aadToken' sends a Microsoft Entra token only there`, ONLINE_URI);
    }
    return { kind: 'aadToken' };
  }
  const key = secretInput('authKey', { expected: 'a single-line key' });
  const keyVault = optionalString('keyVault');
  const secretName = optionalString('authKeySecret');
  const hasAuthHeader = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
  if ((key || keyVault) && hasAuthHeader) {
    throw new InputError('headers', "sets 'Authorization' while a scoring key is given", 'the key in authKey (or Key Vault) or an Authorization header, not both');
  }
  if (key && (keyVault || secretName)) {
    throw new InputError('authKey', 'is set together with keyVault/authKeySecret', 'either authKey, or keyVault with authKeySecret');
  }
  if (key) return { kind: 'key', key: headerSafeKey('authKey', key) };
  if (!keyVault && !secretName) return { kind: 'none' };
  if (!keyVault) throw new InputError('keyVault', 'is empty while authKeySecret is set', 'the Key Vault name or https:// URI that holds the scoring key');
  if (!secretName) throw new InputError('authKeySecret', 'is empty while keyVault is set', 'the name of the Key Vault secret holding the scoring key');
  if (!isKeyVaultSecretName(secretName)) throw new InputError('authKeySecret', `${quote(secretName)} is not a valid secret name`, KEY_VAULT_SECRET_RULE);
  if (!optionalString('azureSubscription')) throw new InputError('azureSubscription', 'is empty while keyVault is set', 'an Azure Resource Manager service connection that can read the vault');
  vaultNameOrOrigin(keyVault);
  return { kind: 'keyVault', vault: keyVault, secretName };
}

function readBaseline(): ProbeInputs['baseline'] {
  const uri = quietInput('baselineScoringUri');
  const key = secretInput('baselineAuthKey', { expected: 'a single-line key' });
  if (!uri) {
    if (key) throw new InputError('baselineAuthKey', 'is set but baselineScoringUri is empty', 'baselineScoringUri with its key, or neither');
    return undefined;
  }
  return { url: httpUrl('baselineScoringUri', uri), ...(key ? { key: headerSafeKey('baselineAuthKey', key) } : {}) };
}

export function readInputs(): ProbeInputs {
  // URLs may carry a key in the query and headers an API key: read without task-lib's debug echo
  const scoringUri = quietInput('scoringUri');
  if (!scoringUri) throw new InputError('scoringUri', 'is required but empty', 'an absolute http:// or https:// URL, e.g. http://<fqdn>:5001/score');
  const scoringUrl = httpUrl('scoringUri', scoringUri);
  const headers = parseHeaderLines('headers', quietInput('headers'));
  // a header value may be an API key: masked before anything could print it (tl.setSecret is one line each)
  for (const v of secretHeaderValues(headers)) tl.setSecret(v);
  const keySource = readKeySource(headers, scoringUrl);
  const deploymentName = optionalString('deploymentName');
  if (deploymentName !== undefined) {
    if (!isOnlineName(deploymentName)) throw new InputError('deploymentName', `${quote(deploymentName)} is not a valid online deployment name`, ONLINE_NAME_RULE);
    if (Object.keys(headers).some((h) => h.toLowerCase() === DEPLOYMENT_HEADER)) throw new InputError('headers', `sets '${DEPLOYMENT_HEADER}' while deploymentName is set`, 'the deployment in deploymentName or in headers, not both');
  }

  const payloadFile = filePathInput('payloadFile', { required: true, kind: 'file' }) as string;
  const payloads = readJsonDocuments('payloadFile', payloadFile).items;
  const expectedResponseFile = filePathInput('expectedResponseFile', { kind: 'file' });
  let expectedResponses: unknown[] | undefined;
  if (expectedResponseFile) {
    expectedResponses = readJsonDocuments('expectedResponseFile', expectedResponseFile).items;
    if (expectedResponses.length !== payloads.length) {
      throw new InputError(
        'expectedResponseFile',
        `has ${expectedResponses.length} response(s) but payloadFile has ${payloads.length} payload(s)`,
        'one expected response per payload, in the same order',
      );
    }
  }

  const requestCount = integerInput('requestCount', { default: 100, min: 1, max: LIMITS.requestCount }) as number;
  // Our default never fails a run: it gives way to a smaller requestCount. Only a value the user set can be
  // too large (task.json has no defaultValue, so the agent does not fill one in).
  const concurrencySet = integerInput('concurrency', { min: 1, max: LIMITS.concurrency });
  if (concurrencySet !== undefined && concurrencySet > requestCount) throw new InputError('concurrency', `${concurrencySet} is more than requestCount ${requestCount}`, `an integer from 1 to requestCount (${requestCount})`);
  const concurrency = concurrencySet ?? Math.min(DEFAULT_CONCURRENCY, requestCount);

  const baseline = readBaseline();
  const minAgreement = numberInput('minAgreement', { min: 0, max: 1 });
  if (minAgreement !== undefined && !baseline) throw new InputError('minAgreement', 'is set but baselineScoringUri is empty', 'a baseline endpoint to agree with, or no minAgreement');

  const maxLatencyP95Ms = numberInput('maxLatencyP95Ms', { min: 0.001, max: 3600000 });
  return {
    scoringUrl,
    keySource,
    ...(deploymentName !== undefined ? { deploymentName } : {}),
    headers,
    payloadFile,
    payloads,
    expectedResponseFile,
    expectedResponses,
    tolerance: numberInput('tolerance', { default: 0, min: 0 }) as number,
    expectedStatus: integerInput('expectedStatus', { default: 200, min: 100, max: 599 }) as number,
    readinessTimeoutSeconds: integerInput('readinessTimeoutSeconds', { default: 300, min: 0, max: LIMITS.readinessTimeoutSeconds }) as number,
    warmupRequests: integerInput('warmupRequests', { default: 5, min: 0, max: LIMITS.warmupRequests }) as number,
    requestCount,
    concurrency,
    requestTimeoutSeconds: integerInput('requestTimeoutSeconds', { default: 30, min: 1, max: LIMITS.requestTimeoutSeconds }) as number,
    ...(maxLatencyP95Ms !== undefined ? { maxLatencyP95Ms } : {}),
    maxErrorRate: numberInput('maxErrorRate', { default: 0, min: 0, max: 1 }) as number,
    ...(baseline ? { baseline } : {}),
    ...(minAgreement !== undefined ? { minAgreement } : {}),
    publishTestResults: booleanInput('publishTestResults', true),
    testRunTitle: optionalString('testRunTitle') ?? `ProbeEndpoint ${scoringUrl.host}`,
  };
}
