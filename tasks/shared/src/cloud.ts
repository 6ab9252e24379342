// Cloud endpoints come from the service connection. The only built-in hosts are the documented
// defaults of the three named Azure environments, used when the connection data lacks a value.
import { TaskError } from './errors';
import { InputError } from './inputs';
import { untrusted } from './untrusted';

export interface CloudEndpoints {
  name: string;
  armUrl: string;
  armScope: string;
  authorityHost: string;
  keyVaultDnsSuffix: string;
  /** Storage suffix (core.windows.net…), for blob URLs when a datastore does not name one. */
  storageDnsSuffix?: string;
  /** Container registry suffix (azurecr.io…) from the connection's data, when it names one. */
  acrDnsSuffix?: string;
}

interface CloudDefaults {
  authorityHost: string;
  keyVaultDnsSuffix: string;
  storageDnsSuffix: string;
  /** Container registry login server suffix (Azure CLI's cloud suffix `acrLoginServerEndpoint`). */
  acrDnsSuffix: string;
  /** Azure ML studio host; see studioHost(). */
  studioHost: string;
}

/** Documented defaults per environment name (az cloud show). Keys are lower-case. */
const KNOWN_CLOUDS: Readonly<Record<string, CloudDefaults>> = {
  azurecloud: {
    authorityHost: 'https://login.microsoftonline.com',
    keyVaultDnsSuffix: 'vault.azure.net',
    storageDnsSuffix: 'core.windows.net',
    acrDnsSuffix: 'azurecr.io',
    studioHost: 'ml.azure.com',
  },
  azureusgovernment: {
    authorityHost: 'https://login.microsoftonline.us',
    keyVaultDnsSuffix: 'vault.usgovcloudapi.net',
    storageDnsSuffix: 'core.usgovcloudapi.net',
    acrDnsSuffix: 'azurecr.us',
    studioHost: 'ml.azure.us',
  },
  azurechinacloud: {
    authorityHost: 'https://login.chinacloudapi.cn',
    keyVaultDnsSuffix: 'vault.azure.cn',
    storageDnsSuffix: 'core.chinacloudapi.cn',
    acrDnsSuffix: 'azurecr.cn',
    studioHost: 'studio.ml.azure.cn',
  },
};

export interface CloudData {
  /** ENDPOINT_URL of the connection (the ARM URL). */
  url: string;
  environment?: string;
  activeDirectoryAuthority?: string;
  environmentAuthorityUrl?: string;
  activeDirectoryServiceEndpointResourceId?: string;
  azureKeyVaultDnsSuffix?: string;
  storageDnsSuffix?: string;
  /**
   * Login server suffix of the cloud's container registries. Azure DevOps' AzureRM connection data has no such
   * field (azure-pipelines-tasks-common-packages azure-arm-endpoint.ts reads none); a connection made through the
   * REST API for a custom cloud may carry `acrLoginServerEndpoint`, named as Azure CLI's cloud suffix (`.azurecr.io`).
   */
  acrDnsSuffix?: string;
}

function stripSlash(u: string): string {
  return u.replace(/\/+$/, '');
}

function httpsUrl(input: string, what: string, value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new InputError(input, `the service connection's ${what} ${JSON.stringify(value)} is not a URL`, 'an https:// URL');
  }
  if (u.protocol !== 'https:') throw new InputError(input, `the service connection's ${what} ${JSON.stringify(value)} is not https`, 'an https:// URL');
  return stripSlash(value);
}

/** Builds the endpoints from the connection's URL and data; `input` names the connection input for errors. */
export function cloudFromData(d: CloudData, input = 'azureSubscription'): CloudEndpoints {
  const name = d.environment?.trim() || 'AzureCloud';
  const known = KNOWN_CLOUDS[name.toLowerCase()];
  const armUrl = httpsUrl(input, 'URL', d.url.trim());
  const authorityRaw = d.activeDirectoryAuthority?.trim() || d.environmentAuthorityUrl?.trim() || known?.authorityHost;
  if (!authorityRaw) {
    throw new InputError(
      input,
      `the service connection for environment '${name}' has no activeDirectoryAuthority`,
      'a connection with activeDirectoryAuthority data, or environment AzureCloud, AzureUSGovernment or AzureChinaCloud',
    );
  }
  const authorityHost = httpsUrl(input, 'activeDirectoryAuthority', authorityRaw);
  const keyVaultDnsSuffix = (d.azureKeyVaultDnsSuffix?.trim() || known?.keyVaultDnsSuffix || 'vault.azure.net').replace(/^\.+/, '');
  const resource = d.activeDirectoryServiceEndpointResourceId?.trim();
  // The resource id keeps its trailing slash on purpose: "https://management.core.windows.net/" + "/.default"
  // is the scope Azure CLI asks for; without a resource id the ARM URL itself is the audience.
  const armScope = `${resource || armUrl}/.default`;
  const storageDnsSuffix = d.storageDnsSuffix?.trim().replace(/^\.+/, '') || known?.storageDnsSuffix;
  const acrDnsSuffix = d.acrDnsSuffix?.trim().replace(/^\.+/, '') || known?.acrDnsSuffix;
  return { name, armUrl, armScope, authorityHost, keyVaultDnsSuffix, ...(storageDnsSuffix ? { storageDnsSuffix } : {}), ...(acrDnsSuffix ? { acrDnsSuffix } : {}) };
}

/**
 * Azure ML studio host for links. Public: ml.azure.com; US Gov: ml.azure.us; China: studio.ml.azure.cn
 * (the hosts Microsoft documents for each cloud's studio). Other (custom / Stack) clouds have no
 * studio of their own that we could derive, so links use ml.azure.com.
 */
export function studioHost(cloud: CloudEndpoints): string {
  return KNOWN_CLOUDS[cloud.name.toLowerCase()]?.studioHost ?? KNOWN_CLOUDS.azurecloud.studioHost;
}

/** Blob storage suffix: the connection's, else the named cloud's default. */
export function storageSuffix(cloud: CloudEndpoints): string {
  return cloud.storageDnsSuffix ?? KNOWN_CLOUDS[cloud.name.toLowerCase()]?.storageDnsSuffix ?? KNOWN_CLOUDS.azurecloud.storageDnsSuffix;
}

/** A bare host (taken as https) or a URL's host and protocol; an unparsable URL has no protocol, so it is refused. */
function hostAndProtocol(hostOrUrl: string): { host: string; protocol: string } {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(hostOrUrl)) return { host: hostOrUrl, protocol: 'https:' };
  try {
    const u = new URL(hostOrUrl);
    return { host: u.host, protocol: u.protocol };
  } catch {
    return { host: hostOrUrl, protocol: '' };
  }
}

/**
 * A storage token, key or SAS goes only to `https://<account>.blob.<storage suffix of the connection's cloud>`
 * (exact suffix; a port is ignored). A model's blob URL and a datastore's endpoint/protocol are written by
 * whoever can edit the workspace: `https://x.blob.attacker.example` must get nothing. One line naming the host.
 */
export function checkStorageHost(hostOrUrl: string, cloud: CloudEndpoints, what: string): void {
  const { host, protocol } = hostAndProtocol(hostOrUrl);
  const name = host.toLowerCase().replace(/:\d+$/, '');
  const suffix = storageSuffix(cloud).toLowerCase().replace(/^\./, '').replace(/:\d+$/, '');
  const account = name.endsWith(`.blob.${suffix}`) ? name.slice(0, -`.blob.${suffix}`.length) : undefined;
  if (protocol !== 'https:' || account === undefined || !/^[a-z0-9]{3,24}$/.test(account)) {
    const shown = untrusted(`${protocol ? `${protocol}//` : ''}${host}`);
    throw new TaskError(`${what} names '${shown}', which is not a blob endpoint of the connection's cloud (https://<account>.blob.${suffix}): refusing to send it a token, key or SAS.`);
  }
}

/** The container registry suffix of the connection's cloud (azurecr.io, azurecr.us, azurecr.cn, or the connection's). */
export function registrySuffix(cloud: CloudEndpoints): string | undefined {
  return cloud.acrDnsSuffix ?? KNOWN_CLOUDS[cloud.name.toLowerCase()]?.acrDnsSuffix;
}

/**
 * Registry credentials (an Entra token for the token exchange, the admin password handed to a container group) go only
 * to `<registry name>.<acr suffix of the connection's cloud>` — or `<name>-<hash>.<suffix>`, the login server of a
 * registry created with a domain name label scope. ARM's `loginServer` and a registry's WWW-Authenticate realm are
 * replies, not trusted: anything else is one error naming the host and the registry, before any secret is sent.
 */
export function checkRegistryHost(hostOrUrl: string, registryName: string, cloud: CloudEndpoints, what: string): void {
  const { host, protocol } = hostAndProtocol(hostOrUrl);
  const suffix = registrySuffix(cloud)?.toLowerCase().replace(/^\./, '').replace(/:\d+$/, '');
  const name = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  const label = suffix && name.endsWith(`.${suffix}`) ? name.slice(0, -suffix.length - 1) : undefined;
  const reg = registryName.toLowerCase();
  if (protocol !== 'https:' || label === undefined || !(label === reg || new RegExp(`^${reg.replace(/[^a-z0-9]/g, '')}-[a-z0-9]{1,32}$`).test(label))) {
    const shown = untrusted(`${protocol && protocol !== 'https:' ? `${protocol}//` : ''}${host}`);
    const expected = suffix ? `https://${reg}.${suffix}` : `a registry host of the connection's cloud (environment '${untrusted(cloud.name)}' names no registry suffix; a custom cloud's connection can carry acrLoginServerEndpoint)`;
    throw new TaskError(`${what} names '${shown}', which is not the login server of registry '${untrusted(registryName)}' in the connection's cloud (${expected}): refusing to send it registry credentials.`);
  }
}
