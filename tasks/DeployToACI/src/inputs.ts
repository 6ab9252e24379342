// Reads and validates every input of DeployToACI into one typed object, before anything touches Azure.
// Secret values (secure environment variables, the registry password) are masked as soon as they are
// read and never quoted in an error.
import type { CloudEndpoints } from '../../shared/src/cloud';
import {
  azureResourceGroupName,
  booleanInput,
  enumInput,
  InputError,
  integerInput,
  isKeyVaultSecretName,
  KEY_VAULT_SECRET_RULE,
  keyValueLines,
  numberInput,
  optionalString,
  quietInput,
  quote,
  requiredString,
  secretInput,
  workspaceNameInput,
} from '../../shared/src/inputs';
import { maskValue, vaultUrl } from '../../shared/src/keyvault';
import { DIGEST, ImageReference, parseImageReference } from '../../shared/src/imageReference';

export type RegistryCredentialsInput =
  | { mode: 'automatic' }
  | { mode: 'given'; username: string; password: string }
  | { mode: 'none' };

export interface DeployInputs {
  resourceGroup: string;
  containerGroupName: string;
  /** Normalised region name ('eastus'); undefined = existing group's, else the resource group's. */
  location?: string;
  imageUri: string;
  image: ImageReference;
  imageDigest?: string;
  workspaceName?: string;
  registry: RegistryCredentialsInput;
  cpu: number;
  memoryGb: number;
  port: number;
  /** Undefined for a private (subnet) deployment. */
  dnsNameLabel?: string;
  subnetId?: string;
  environment: Map<string, string>;
  secureEnvironment: Map<string, string>;
  keyVault?: string;
  /** NAME → Key Vault secret name. */
  secretEnvironment: Map<string, string>;
  authEnabled: boolean;
  /** Key Vault secret of the scoring key (only with a Key Vault). */
  scoringKeySecret?: string;
  appInsights: boolean;
  readinessTimeoutMs: number;
  /** Collect sampled requests to the workspace's default blob datastore (dataCollection.ts). */
  collectData: boolean;
  /** Fraction of requests collected, in (0, 1]. */
  sampleRate: number;
}

export const SCORING_KEY_VAR = 'SCORING_KEY';
/** Variables the scoring server's data collector reads (set by DeployToACI when collectData is true). */
export const DATA_COLLECTOR_VARS = ['DATA_COLLECTOR_SAS_URL', 'DATA_COLLECTOR_ENDPOINT', 'DATA_COLLECTOR_DEPLOYMENT', 'DATA_COLLECTOR_SOURCE', 'DATA_COLLECTOR_SAMPLE_RATE'];
export const APPINSIGHTS_VAR = 'APPLICATIONINSIGHTS_CONNECTION_STRING';

/** ACI limits of a Linux container group (standard SKU): 4 cores, 16 GB, both accurate to one decimal place. */
export const CPU_LIMITS = { min: 0.1, max: 4 };
export const MEMORY_LIMITS = { min: 0.1, max: 16 };

// Microsoft.ContainerInstance/containerGroups: 1-63 lower-case letters, digits and hyphens,
// not starting or ending with a hyphen, no consecutive hyphens.
const GROUP_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// ACI DNS name label: 5-63 lower-case letters, digits and hyphens, starting with a letter, ending with a letter or digit.
const DNS_LABEL = /^[a-z][a-z0-9-]{3,61}[a-z0-9]$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_RULE = 'names of letters, digits and _ not starting with a digit';
const SUBNET_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i;
const LOCATION = /^[a-zA-Z][a-zA-Z0-9 ]{1,49}$/;

export function containerGroupNameInput(input: string, value: string): string {
  const v = value.trim();
  if (!GROUP_NAME.test(v) || v.includes('--')) {
    throw new InputError(input, `${quote(v)} is not a valid container group name`, '1-63 lower-case letters, digits and single hyphens, not starting or ending with a hyphen');
  }
  return v;
}

export function dnsNameLabelInput(input: string, value: string): string {
  const v = value.trim();
  if (!DNS_LABEL.test(v)) {
    throw new InputError(input, `${quote(v)} is not a valid DNS name label`, '5-63 lower-case letters, digits or hyphens, starting with a letter and ending with a letter or digit');
  }
  return v;
}

/** A DNS label derived from the group name: valid by construction (letter first, 5-63 characters). */
export function defaultDnsNameLabel(groupName: string): string {
  let s = groupName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(s)) s = `aci-${s}`;
  if (s.length < 5) s = `${s}-aci`.replace(/-+/g, '-');
  s = s.slice(0, 63).replace(/-+$/, '');
  return s.length >= 5 ? s : 'aci-endpoint';
}

/** A decimal with at most one digit after the point, inside the ACI limits. */
export function resourceAmount(input: string, limits: { min: number; max: number }, defaultValue: number, unit: string): number {
  const n = numberInput(input, { default: defaultValue, ...limits }) as number;
  if (Math.abs(Math.round(n * 10) - n * 10) > 1e-9) {
    throw new InputError(input, `${n} has more than one decimal place`, `${unit} from ${limits.min} to ${limits.max} in steps of 0.1`);
  }
  return Math.round(n * 10) / 10;
}

export function locationInput(input: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!LOCATION.test(value)) throw new InputError(input, `${quote(value)} is not an Azure region name`, "a region such as 'eastus' or 'West Europe'");
  return value.replace(/\s+/g, '').toLowerCase();
}

/**
 * Parses secret "NAME=value" lines. Unlike keyValueLines it never quotes a line or a value in an error
 * (a malformed line may be nothing but the secret); every value is masked before anything else happens.
 */
export function secureLines(input: string, text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (text === undefined) return out;
  const lines = text.split(/\r?\n/);
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq >= 0) maskValue(line.slice(eq + 1).trim());
    else if (line.trim().length >= 4 && !line.trim().startsWith('#')) maskValue(line.trim());
  }
  lines.forEach((line, idx) => {
    const n = idx + 1;
    const t = line.trim();
    if (t.length === 0 || t.startsWith('#')) return;
    const eq = t.indexOf('=');
    if (eq < 0) throw new InputError(input, `line ${n} has no '=' (its text is not shown: it may be a secret)`, "one 'NAME=value' per line");
    const key = t.slice(0, eq).trim();
    const value = t.slice(eq + 1).trim();
    if (!ENV_NAME.test(key)) throw new InputError(input, `line ${n}: the name before '=' is not a valid environment variable name (not shown: it may be a secret)`, ENV_RULE);
    if (value.length === 0) throw new InputError(input, `line ${n}: ${key} has an empty value`, "'NAME=value' with a non-empty value");
    if (out.has(key)) throw new InputError(input, `line ${n}: ${key} is repeated`, 'each name once');
    out.set(key, value);
  });
  return out;
}

function checkNoOverlap(sets: { input: string; names: Iterable<string> }[]): void {
  const seen = new Map<string, string>();
  for (const s of sets) {
    for (const name of s.names) {
      const first = seen.get(name);
      if (first !== undefined) {
        throw new InputError(s.input, `the environment variable ${name} is also set by '${first}'`, 'each variable name in one input only');
      }
      seen.set(name, s.input);
    }
  }
}

function registryInput(image: ImageReference): RegistryCredentialsInput {
  const mode = enumInput('registryCredentials', ['automatic', 'given', 'none'] as const, 'automatic');
  if (mode !== 'given') return { mode };
  const username = optionalString('registryUsername');
  // read without task-lib's debug echo, masked at once
  const password = secretInput('registryPassword', { expected: 'the password for the registry, from a secret variable' });
  if (!username) throw new InputError('registryUsername', `is empty but registryCredentials is 'given' (registry ${image.registry})`, 'the user name for the registry');
  if (!password) throw new InputError('registryPassword', `is empty but registryCredentials is 'given' (registry ${image.registry})`, 'the password for the registry, from a secret variable');
  return { mode, username, password };
}

/** Reads every input; throws InputError (one line, no secret) on the first bad one. */
export function readInputs(cloud: CloudEndpoints): DeployInputs {
  const resourceGroup = azureResourceGroupName('resourceGroup', requiredString('resourceGroup'));
  const containerGroupName = containerGroupNameInput('containerGroupName', requiredString('containerGroupName'));

  const imageUri = requiredString('imageUri');
  const image = parseImageReference(imageUri);
  if (!image) {
    throw new InputError('imageUri', `${quote(imageUri)} is not a valid image reference`, "'<registry>/<repository>:<tag>' or '<registry>/<repository>@sha256:<digest>', e.g. 'myacr.azurecr.io/churn-model:3-42'");
  }
  let imageDigest = optionalString('imageDigest');
  if (imageDigest !== undefined && !DIGEST.test(imageDigest)) {
    throw new InputError('imageDigest', `${quote(imageDigest)} is not an image digest`, "'sha256:' and 64 lower-case hex digits");
  }
  if (image.digest && imageDigest && image.digest !== imageDigest) {
    throw new InputError('imageDigest', `${quote(imageDigest)} differs from the digest in imageUri (${image.digest})`, 'the digest of the image being deployed, or empty');
  }
  imageDigest = imageDigest ?? image.digest;

  const workspaceRaw = optionalString('workspaceName');
  const workspaceName = workspaceRaw !== undefined ? workspaceNameInput('workspaceName', workspaceRaw) : undefined;
  const location = locationInput('location', optionalString('location'));
  const registry = registryInput(image);

  const cpu = resourceAmount('cpu', CPU_LIMITS, 1, 'CPU cores');
  const memoryGb = resourceAmount('memoryGb', MEMORY_LIMITS, 1.5, 'GB');
  const port = integerInput('port', { default: 5001, min: 1, max: 65535 }) as number;

  const subnetId = optionalString('subnetId');
  if (subnetId !== undefined && !SUBNET_ID.test(subnetId)) {
    throw new InputError('subnetId', `${quote(subnetId)} is not a subnet resource id`, "'/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>'");
  }
  const labelInput = optionalString('dnsNameLabel');
  if (subnetId !== undefined && labelInput !== undefined) {
    throw new InputError('dnsNameLabel', `is set but subnetId makes the group private, and a private IP has no DNS name label`, 'dnsNameLabel empty when subnetId is given');
  }
  const dnsNameLabel = subnetId !== undefined ? undefined : labelInput !== undefined ? dnsNameLabelInput('dnsNameLabel', labelInput) : defaultDnsNameLabel(containerGroupName);

  const environment = keyValueLines('environmentVariables', optionalString('environmentVariables'), { keyPattern: ENV_NAME, keyRule: ENV_RULE, allowEmptyValue: true });
  const secureEnvironment = secureLines('secureEnvironmentVariables', quietInput('secureEnvironmentVariables'));
  const secretEnvironment = keyValueLines('secretEnvironmentVariables', optionalString('secretEnvironmentVariables'), { keyPattern: ENV_NAME, keyRule: ENV_RULE });
  for (const [name, secret] of secretEnvironment) {
    if (!isKeyVaultSecretName(secret)) {
      throw new InputError('secretEnvironmentVariables', `${name}: ${quote(secret)} is not a Key Vault secret name`, `'NAME=secret-name' with ${KEY_VAULT_SECRET_RULE}`);
    }
  }

  const keyVaultRaw = optionalString('keyVault');
  const keyVault = keyVaultRaw !== undefined ? (vaultUrl(keyVaultRaw, cloud, 'keyVault'), keyVaultRaw) : undefined;
  if (secretEnvironment.size > 0 && keyVault === undefined) {
    throw new InputError('secretEnvironmentVariables', 'is set but keyVault is empty', 'a Key Vault name or URI in keyVault');
  }

  const authEnabled = booleanInput('authEnabled', true);
  let scoringKeySecret = optionalString('scoringKeySecret');
  if (scoringKeySecret !== undefined) {
    if (!authEnabled) throw new InputError('scoringKeySecret', 'is set but authEnabled is false', 'scoringKeySecret empty, or authEnabled true');
    if (keyVault === undefined) throw new InputError('scoringKeySecret', 'is set but keyVault is empty', 'a Key Vault name or URI in keyVault');
    if (!isKeyVaultSecretName(scoringKeySecret)) throw new InputError('scoringKeySecret', `${quote(scoringKeySecret)} is not a Key Vault secret name`, KEY_VAULT_SECRET_RULE);
  }
  if (authEnabled && keyVault !== undefined && scoringKeySecret === undefined) scoringKeySecret = `${containerGroupName}-scoring-key`;

  const appInsights = booleanInput('appInsights', true);
  const collectData = booleanInput('collectData', false);
  const sampleRate = numberInput('sampleRate', { default: 1, min: 0.001, max: 1 }) as number;
  if (collectData && workspaceName === undefined) throw new InputError('collectData', 'is true but workspaceName is empty', "the workspace whose default blob datastore receives the data, or collectData false");
  const reserved = [...(authEnabled ? [SCORING_KEY_VAR] : []), ...(collectData ? DATA_COLLECTOR_VARS : [])];
  checkNoOverlap([
    { input: authEnabled ? 'authEnabled' : collectData ? 'collectData' : '(none)', names: reserved },
    { input: 'environmentVariables', names: environment.keys() },
    { input: 'secureEnvironmentVariables', names: secureEnvironment.keys() },
    { input: 'secretEnvironmentVariables', names: secretEnvironment.keys() },
  ]);

  const timeoutMinutes = numberInput('readinessTimeoutMinutes', { default: 15, min: 0.05, max: 120 }) as number;

  return {
    resourceGroup,
    containerGroupName,
    ...(location !== undefined ? { location } : {}),
    imageUri: imageUri.trim(),
    image,
    ...(imageDigest !== undefined ? { imageDigest } : {}),
    ...(workspaceName !== undefined ? { workspaceName } : {}),
    registry,
    cpu,
    memoryGb,
    port,
    ...(dnsNameLabel !== undefined ? { dnsNameLabel } : {}),
    ...(subnetId !== undefined ? { subnetId } : {}),
    environment,
    secureEnvironment,
    ...(keyVault !== undefined ? { keyVault } : {}),
    secretEnvironment,
    authEnabled,
    ...(scoringKeySecret !== undefined ? { scoringKeySecret } : {}),
    appInsights,
    readinessTimeoutMs: Math.round(timeoutMinutes * 60_000),
    collectData,
    sampleRate,
  };
}
