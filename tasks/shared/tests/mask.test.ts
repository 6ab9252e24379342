// Issue 15 item 10 and the connection echo: multi-line secrets are masked line by line with the REAL
// task-lib (it throws on a multi-line setSecret), and the connection's key, certificate and
// System.AccessToken are read without task-lib's debug echo (checked in a child process with
// System.Debug=true, because task-lib loads the ENDPOINT_* variables into its vault when it is imported).
import './helpers';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { agentHttp } from '../src/http';
import { maskValue } from '../src/keyvault';
import { maskSecret } from '../src/mask';
import { captureStdout, tmpDir } from './helpers';

/** A real PEM private key (27+ lines), not a one-line stub. */
function realPemKey(): string {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** The values registered with `##vso[task.setsecret]`, unescaped as the agent does. */
const masked = (out: string): string[] =>
  out.split('\n').filter((l) => l.startsWith('##vso[task.setsecret]')).map((l) => l.slice('##vso[task.setsecret]'.length).replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%AZP25/g, '%'));
const bodyLines = (pem: string): string[] => pem.split('\n').map((l) => l.trim()).filter((l) => l.length >= 4 && !l.startsWith('-----'));

describe('masking multi-line secrets with the real task-lib', () => {
  it('maskSecret registers every line of a PEM key (task-lib refuses the whole value)', async () => {
    const pem = realPemKey();
    assert.ok(pem.split('\n').length > 20);
    const { out } = await captureStdout(() => maskSecret(pem));
    assert.deepEqual(masked(out), bodyLines(pem));
    const one = await captureStdout(() => maskSecret('single-line-value'));
    assert.deepEqual(masked(one.out), ['single-line-value']);
  });

  it("a multi-line Key Vault secret (maskValue, used by getSecret) does not throw and is masked line by line, CRLF too", async () => {
    const value = realPemKey().replace(/\n/g, '\r\n');
    const { out } = await captureStdout(() => maskValue(value));
    assert.deepEqual(masked(out), bodyLines(value.replace(/\r/g, '')));
  });

  it("agentHttp reads the agent's client certificate key (a real PEM) and masks it line by line", async () => {
    const dir = tmpDir();
    const key = realPemKey();
    fs.writeFileSync(path.join(dir, 'key.pem'), key);
    fs.writeFileSync(path.join(dir, 'cert.pem'), 'CERT');
    const env = { AGENT_CLIENTCERT: path.join(dir, 'cert.pem'), AGENT_CLIENTCERTKEY: path.join(dir, 'key.pem'), AGENT_CLIENTCERTPASSWORD: 'pass-phrase-1' };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      const { result, out } = await captureStdout(() => agentHttp());
      assert.equal(result.tlsOptions?.key, key);
      assert.deepEqual(masked(out), [...bodyLines(key), 'pass-phrase-1']);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('the proxy URL', () => {
  it("a password written into Agent.ProxyUrl is masked in both spellings", async () => {
    const saved = process.env.AGENT_PROXYURL;
    process.env.AGENT_PROXYURL = 'http://someone:pr0xy%40Pass@proxy.local:8080';
    try {
      const { result, out } = await captureStdout(() => agentHttp());
      assert.equal(result.proxyOptions?.password, 'pr0xy@Pass');
      assert.deepEqual(masked(out), ['pr0xy%40Pass', 'pr0xy@Pass']);
    } finally {
      if (saved === undefined) delete process.env.AGENT_PROXYURL;
      else process.env.AGENT_PROXYURL = saved;
    }
  });
});

describe('the connection is read without task-lib echoing its secrets', () => {
  it('System.Debug=true: the service principal key, the certificate and System.AccessToken appear only in setsecret lines', () => {
    const key = 'planted-Sp-Key-4c1e9a7f';
    const pem = realPemKey();
    const token = 'planted-access-token-77d2b1';
    const script = `
      const { readServiceConnection } = require(${JSON.stringify(path.join(__dirname, '..', 'src', 'connection.js'))});
      const { systemAccessToken } = require(${JSON.stringify(path.join(__dirname, '..', 'src', 'credentials', 'workloadIdentity.js'))});
      readServiceConnection();
      readServiceConnection('certConnection');
      systemAccessToken();`;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '', SYSTEM_DEBUG: 'true', AGENT_TEMPDIRECTORY: tmpDir(),
      INPUT_AZURESUBSCRIPTION: 'c1', INPUT_CERTCONNECTION: 'c2',
      ENDPOINT_URL_c1: 'https://management.azure.com/', ENDPOINT_AUTH_SCHEME_c1: 'ServicePrincipal',
      ENDPOINT_AUTH_PARAMETER_c1_SERVICEPRINCIPALKEY: key, ENDPOINT_AUTH_PARAMETER_c1_SERVICEPRINCIPALID: 'app-1', ENDPOINT_AUTH_PARAMETER_c1_TENANTID: 'tenant-1',
      ENDPOINT_AUTH_PARAMETER_c1_AUTHENTICATIONTYPE: 'spnKey', ENDPOINT_DATA_c1_SUBSCRIPTIONID: 'sub-1',
      ENDPOINT_URL_c2: 'https://management.azure.com/', ENDPOINT_AUTH_SCHEME_c2: 'ServicePrincipal',
      ENDPOINT_AUTH_PARAMETER_c2_SERVICEPRINCIPALCERTIFICATE: pem, ENDPOINT_AUTH_PARAMETER_c2_SERVICEPRINCIPALID: 'app-2', ENDPOINT_AUTH_PARAMETER_c2_TENANTID: 'tenant-1',
      ENDPOINT_AUTH_PARAMETER_c2_AUTHENTICATIONTYPE: 'spnCertificate', ENDPOINT_DATA_c2_SUBSCRIPTIONID: 'sub-1',
      ENDPOINT_AUTH_SCHEME_SYSTEMVSSCONNECTION: 'OAuth', ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: token,
    };
    const r = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /##vso\[task\.debug\]/, 'debug lines are on');
    const printed = (r.stdout + r.stderr).split('\n').filter((l) => !l.startsWith('##vso[task.setsecret]'));
    for (const s of [key, token, ...bodyLines(pem)]) {
      const hit = printed.find((l) => l.includes(s));
      assert.equal(hit, undefined, `a secret is printed: ${hit?.slice(0, 120)}`);
    }
    assert.deepEqual([...new Set(masked(r.stdout))].sort(), [...new Set([key, ...bodyLines(pem), token])].sort(), 'each secret is registered with the agent');
  });
});
