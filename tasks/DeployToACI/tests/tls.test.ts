// The TLS certificate from Key Vault (PEM key + chain) and the transport warnings: real keys made by openssl.
import * as assert from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeCa, type TestCa, tmpDir } from '../../shared/tests/helpers';
import { transportWarnings } from '../src/main';
import { coversHost, parseTlsCertificate } from '../src/tls';

describe('DeployToACI TLS certificate', function () {
  this.timeout(30000);
  let ca: TestCa;
  let other: TestCa;
  before(() => {
    ca = makeCa();
    other = makeCa();
  });

  it('takes a PEM key with its chain (any order, CRLF) and reads names, expiry and fingerprint', () => {
    const t = parseTlsCertificate('tls', `${ca.cert}\r\n${ca.ca}\r\n${ca.key}`);
    assert.ok(t.pem.startsWith('-----BEGIN PRIVATE KEY-----'), 'the key first, then the chain');
    assert.strictEqual((t.pem.match(/BEGIN CERTIFICATE/g) ?? []).length, 2);
    assert.ok(!t.pem.includes('\r'));
    assert.deepStrictEqual(t.dnsNames, ['localhost', '*.vault.localhost', '*.blob.localhost']);
    assert.ok(t.notAfter.getTime() > Date.now());
    assert.match(t.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('refuses a PFX, a missing key or certificate, a key of another certificate and an expired one, naming the secret only', () => {
    const refuses = (value: string, message: RegExp, now?: Date): void => {
      assert.throws(() => parseTlsCertificate('scoring-tls', value, now), (e: Error) => message.test(e.message) && e.message.startsWith("Key Vault secret 'scoring-tls' (input 'tlsCertificateSecret')") && !e.message.includes('BEGIN'));
    };
    refuses('MIIKmAIBAzCCClQGCSqGSIb3DQEHAaCCCkUEggpBMIIKPTCCBa4GCSqGSIb3DQEHAaCCBZ8EggWbMIIFlzCCBZMGCyqGSIb3DQEMCgECoIIE', /is not PEM \(it looks like a PKCS#12\/PFX certificate\)/);
    refuses(ca.cert, /holds 0 private keys/);
    refuses(ca.key, /holds no certificate/);
    refuses(`${other.key}${ca.cert}`, /the private key does not belong to the first certificate/);
    refuses(`${ca.key}${ca.cert}`, /the certificate expired on /, new Date(Date.now() + 10 * 86400_000));
  });

  it('refuses an encrypted key (the scoring server has no passphrase)', () => {
    const dir = tmpDir('tls-');
    fs.writeFileSync(path.join(dir, 'k.pem'), ca.key);
    execFileSync('openssl', ['pkcs8', '-topk8', '-in', 'k.pem', '-out', 'enc.pem', '-passout', 'pass:secret1234'], { cwd: dir, stdio: 'pipe' });
    const enc = fs.readFileSync(path.join(dir, 'enc.pem'), 'utf8');
    assert.throws(() => parseTlsCertificate('tls', `${enc}${ca.cert}`), /the private key cannot be read \(an encrypted key is not supported\)/);
  });

  it('matches host names as TLS does (a wildcard covers one label)', () => {
    assert.ok(coversHost(['*.eastus.azurecontainer.io'], 'churn.eastus.azurecontainer.io'));
    assert.ok(!coversHost(['*.eastus.azurecontainer.io'], 'a.b.eastus.azurecontainer.io'));
    assert.ok(coversHost(['score.example.com'], 'SCORE.example.com'));
    assert.ok(!coversHost(['score.example.com'], 'churn.eastus.azurecontainer.io'));
  });

  it('warns once for a key over plain HTTP to a public IP, and for a certificate that does not name the FQDN', () => {
    assert.deepStrictEqual(transportWarnings({ publicIp: false, keyInUse: true, fqdn: '' }), []);
    assert.deepStrictEqual(transportWarnings({ publicIp: true, keyInUse: false, fqdn: 'x.eastus.azurecontainer.io' }), []);
    const [w] = transportWarnings({ publicIp: true, keyInUse: true, fqdn: 'x.eastus.azurecontainer.io' });
    assert.match(w, /^The scoring key is sent over plain HTTP to a public address \(x\.eastus\.azurecontainer\.io\)/);
    const tls = parseTlsCertificate('tls', `${ca.key}${ca.cert}`);
    assert.deepStrictEqual(transportWarnings({ publicIp: true, keyInUse: true, tls, fqdn: 'localhost' }), []);
    assert.match(transportWarnings({ publicIp: true, keyInUse: true, tls, fqdn: 'x.eastus.azurecontainer.io' })[0], /^The TLS certificate names localhost, \*\.vault\.localhost, \*\.blob\.localhost, not x\.eastus\.azurecontainer\.io/);
  });
});
