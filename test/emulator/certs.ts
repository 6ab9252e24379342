// Test PKI made at start with openssl: a CA, the server certificate for every emulator host name,
// and a self-signed certificate for the certificate service principal.
import { execFile } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';

const run = promisify(execFile);

/** Names on the server certificate. Node wants explicit wildcards (one label each). */
export const SERVER_NAMES = [
  'localhost', 'login.localhost', 'management.localhost', 'dev.azure.localhost',
  '*.vault.localhost', '*.blob.localhost', '*.blob.core.localhost', '*.azurecr.localhost', '*.azurecontainer.localhost',
  '*.eastus.azurecontainer.localhost', '*.westeurope.azurecontainer.localhost', '*.westus2.azurecontainer.localhost',
  '*.api.azureml.localhost',
  '*.eastus.inference.ml.localhost', '*.westeurope.inference.ml.localhost', '*.westus2.inference.ml.localhost',
];

export interface TestPki {
  dir: string;
  caPem: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
  /** Self-signed SPN certificate + its private key (PEM, both blocks). */
  spnPem: string;
  spnCertPem: string;
  spnThumbprintSha1: string;
  spnThumbprintSha256: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd });
}

export async function makePki(dir: string): Promise<TestPki> {
  fs.mkdirSync(dir, { recursive: true });
  const san = [...SERVER_NAMES.map((n) => `DNS:${n}`), 'IP:127.0.0.1'].join(',');
  fs.writeFileSync(path.join(dir, 'server.ext'), [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=${san}`,
    '',
  ].join('\n'));
  const days = '3';
  await Promise.all([
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', days,
      '-subj', '/CN=Azure Emulator Test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir),
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir),
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'spn.key', '-out', 'spn.crt', '-days', days,
      '-subj', '/CN=aml-devops-tests-spn'], dir),
  ]);
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'server.crt', '-days', days, '-sha256', '-extfile', 'server.ext'], dir);
  const read = (f: string): string => fs.readFileSync(path.join(dir, f), 'utf8');
  const spnCertPem = read('spn.crt');
  const spnPem = `${spnCertPem.trim()}\n${read('spn.key').trim()}\n`;
  fs.writeFileSync(path.join(dir, 'spn.pem'), spnPem, { mode: 0o600 });
  const raw = new crypto.X509Certificate(spnCertPem).raw;
  return {
    dir,
    caPem: read('ca.crt'),
    caFile: path.join(dir, 'ca.crt'),
    certFile: path.join(dir, 'server.crt'),
    keyFile: path.join(dir, 'server.key'),
    certPem: read('server.crt'),
    keyPem: read('server.key'),
    spnPem,
    spnCertPem,
    spnThumbprintSha1: crypto.createHash('sha1').update(raw).digest('hex').toUpperCase(),
    spnThumbprintSha256: crypto.createHash('sha256').update(raw).digest('hex').toUpperCase(),
  };
}
