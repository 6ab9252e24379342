// A scoring key sent over plain HTTP to an address outside private networks can be read by anyone on the path:
// one warning line (the probe sends the key hundreds of times). Private = every address the host resolves to is
// loopback, link-local or in a private range (RFC 1918, RFC 4193); a host that does not resolve is not private.
import * as dns from 'node:dns';
import * as net from 'node:net';
import { showUrl } from './inputs';

export type Lookup = (host: string) => Promise<string[]>;

const systemLookup: Lookup = async (host) => (await dns.promises.lookup(host, { all: true })).map((a) => a.address);

export function isPrivateAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  if (net.isIPv4(a)) {
    const [x, y] = a.split('.').map(Number);
    return x === 10 || x === 127 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168) || (x === 169 && y === 254);
  }
  if (net.isIPv6(a)) {
    if (a === '::1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
    if (mapped) return isPrivateAddress(mapped[1]);
    return /^f[cd][0-9a-f]{2}:/.test(a) || /^fe[89ab][0-9a-f]:/.test(a);
  }
  return false;
}

/** The warning for a key sent to `url` over plain HTTP outside private networks, or undefined. */
export async function plainHttpKeyWarning(url: URL, input: string, lookup: Lookup = systemLookup): Promise<string | undefined> {
  if (url.protocol !== 'http:') return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = net.isIP(host) ? [host] : await lookup(host);
  } catch {
    addresses = [];
  }
  if (addresses.length > 0 && addresses.every(isPrivateAddress)) return undefined;
  return `The scoring key is sent over plain HTTP to ${showUrl(url)}, ${addresses.length > 0 ? 'a public address' : 'an address that does not resolve here'}: anyone on the path can read it. Use an https:// ${input} (DeployToACI: tlsCertificateSecret).`;
}
