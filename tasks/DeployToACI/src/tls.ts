// The scoring endpoint's TLS certificate: a Key Vault secret holding a private key and its certificate chain in
// PEM, as Key Vault stores a certificate created or imported with content type application/x-pem-file (the
// secret of a certificate is its key and chain). It reaches the container as the secure variable
// SCORING_TLS_PEM, which the scoring server (tasks/CreateImage/assets/server.py) serves. Checked here, before
// anything is written, so a wrong secret fails with a reason instead of a container that never starts.
import * as crypto from 'node:crypto';
import { TaskError } from '../../shared/src/errors';

export const TLS_PEM_VAR = 'SCORING_TLS_PEM';

export interface TlsCertificate {
  /** Key and chain, normalised to '\n' line ends (the value the container gets). */
  pem: string;
  /** DNS names of the leaf certificate (subjectAltName), for the name check against the FQDN. */
  dnsNames: string[];
  notAfter: Date;
  fingerprint: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** Parses and checks the secret's value; every failure names the secret and never quotes the value. */
export function parseTlsCertificate(secretName: string, value: string, now: Date = new Date()): TlsCertificate {
  const where = `Key Vault secret '${secretName}' (input 'tlsCertificateSecret')`;
  const text = value.replace(/\r\n?/g, '\n').trim();
  if (!text.includes('-----BEGIN')) {
    // a certificate created with the default content type application/x-pkcs12 is stored as base64 PFX
    throw new TaskError(
      `${where} is not PEM (it looks like a PKCS#12/PFX certificate). The scoring server needs the key and chain in PEM: ` +
        `create or import the certificate in Key Vault with content type application/x-pem-file.`,
    );
  }
  const blocks = [...text.matchAll(BLOCK)].map((m) => ({ kind: m[1], pem: m[0] }));
  const keys = blocks.filter((b) => /PRIVATE KEY$/.test(b.kind));
  const certs = blocks.filter((b) => b.kind === 'CERTIFICATE');
  if (keys.length !== 1) throw new TaskError(`${where} holds ${keys.length} private keys. Expected one private key and its certificate chain in PEM.`);
  if (certs.length === 0) throw new TaskError(`${where} holds no certificate. Expected one private key and its certificate chain in PEM.`);
  let key: crypto.KeyObject;
  let leaf: crypto.X509Certificate;
  try {
    key = crypto.createPrivateKey(keys[0].pem);
  } catch {
    throw new TaskError(`${where}: the private key cannot be read (an encrypted key is not supported). Expected an unencrypted PEM private key.`);
  }
  try {
    leaf = new crypto.X509Certificate(certs[0].pem);
  } catch {
    throw new TaskError(`${where}: the first certificate cannot be read. Expected the server certificate first, then its chain.`);
  }
  if (!leaf.checkPrivateKey(key)) throw new TaskError(`${where}: the private key does not belong to the first certificate (${leaf.subject.replace(/\n/g, ', ')}).`);
  const notAfter = new Date(leaf.validTo);
  if (notAfter.getTime() <= now.getTime()) throw new TaskError(`${where}: the certificate expired on ${notAfter.toISOString()}. Renew it in Key Vault.`);
  const dnsNames = (leaf.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4).toLowerCase());
  return { pem: `${[keys[0].pem, ...certs.map((c) => c.pem)].join('\n')}\n`, dnsNames, notAfter, fingerprint: leaf.fingerprint256 };
}

/** Whether a certificate name (possibly `*.` wildcard, one label) covers the host. */
export function coversHost(dnsNames: readonly string[], host: string): boolean {
  const h = host.toLowerCase();
  return dnsNames.some((n) => n === h || (n.startsWith('*.') && h.endsWith(n.slice(1)) && !h.slice(0, h.length - n.length + 1).includes('.')));
}
