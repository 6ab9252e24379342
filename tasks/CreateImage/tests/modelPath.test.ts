// Issue 15 item 7: a model blob's name decides where it is written. Both separators split it (a Windows
// agent reads `\` as one), `..` is refused and the result must stay under the download folder.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TaskError } from '../../shared/src/errors';
import { checkStorageHost, type CloudEndpoints } from '../../shared/src/cloud';
import { cachedModelProblem, modelFilePath, type ModelBlob } from '../src/model';

describe('CreateImage: model download paths stay under the destination', () => {
  const refused = (fn: () => unknown, pattern: RegExp): void => assert.throws(fn, (e: unknown) => e instanceof TaskError && pattern.test(e.message));

  it("refuses 'model/..\\..\\x' on a Windows agent and on this one", () => {
    refused(() => modelFilePath('C:\\agent\\_temp\\model-1', 'model/..\\..\\x', 'model/..\\..\\x', path.win32), /^Model file 'model\/\.\.\\\.\.\\x' has a '\.\.' path segment: refusing/);
    refused(() => modelFilePath('/agent/_temp/model-1', 'model/..\\..\\x', 'model/..\\..\\x', path.posix), /'\.\.' path segment/);
    refused(() => modelFilePath('/agent/_temp/model-1', 'model/../../x', 'model/../../x'), /'\.\.' path segment/);
  });

  it('refuses a drive-rooted name on Windows (it would leave the folder)', () => {
    refused(() => modelFilePath('C:\\agent\\_temp\\model-1', 'D:x', 'D:x', path.win32), /would be written outside the download folder/);
  });

  it('keeps ordinary names, with either separator, under the destination', () => {
    assert.equal(modelFilePath('C:\\t\\m', 'model/sub\\f.pkl', 'model/sub\\f.pkl', path.win32), 'C:\\t\\m\\model\\sub\\f.pkl');
    assert.equal(modelFilePath('/t/m', 'model/./a//b.pkl', 'model/./a//b.pkl', path.posix), '/t/m/model/a/b.pkl');
  });
});

describe("the storage token, key or SAS goes only to the connection's cloud (issue 15 item 3: model blob URLs, datastore endpoints)", () => {
  const cloud = (storageDnsSuffix?: string, name = 'AzureCloud'): CloudEndpoints => ({ name, armUrl: 'https://management.azure.com', armScope: 's', authorityHost: 'a', keyVaultDnsSuffix: 'vault.azure.net', ...(storageDnsSuffix ? { storageDnsSuffix } : {}) });
  it('accepts https://<account>.blob.<suffix> exactly (a port ignored)', () => {
    checkStorageHost('mlstore01.blob.core.windows.net', cloud(), 'x');
    checkStorageHost('https://MLSTORE01.blob.core.usgovcloudapi.net', cloud(undefined, 'AzureUSGovernment'), 'x');
    checkStorageHost('https://devstoreaccount1.blob.localhost:10000', cloud('localhost'), 'x');
  });
  for (const host of ['x.blob.attacker.example', 'https://mlstore01.blob.core.windows.net.attacker.example', 'evil.blob.core.windows.net.', 'a.b.blob.core.windows.net', 'mlstore01.blob.core.chinacloudapi.cn', 'blob.core.windows.net', 'http://mlstore01.blob.core.windows.net']) {
    it(`refuses ${host}, naming it`, () => {
      assert.throws(() => checkStorageHost(host, cloud(), "The model's blob URL"), (e: unknown) => e instanceof TaskError && e.message.includes(host.replace(/^https?:\/\//, '')) && /refusing to send it a token, key or SAS/.test(e.message));
    });
  }
});

describe('CreateImage: a cached model is reused only when it matches its blobs (issue 15 item 6)', () => {
  const md5 = (s: string): string => crypto.createHash('md5').update(s).digest('base64');
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-cache-'));
    fs.mkdirSync(path.join(dir, 'model', 'meta'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'model', 'w.json'), '{"w": 2}');
    fs.writeFileSync(path.join(dir, 'model', 'meta', 'info.txt'), 'v1');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const blobs = (): ModelBlob[] => [
    { name: 'm/1/model/w.json', rel: 'model/w.json', md5: md5('{"w": 2}') },
    { name: 'm/1/model/meta/info.txt', rel: 'model/meta/info.txt', md5: md5('v1') },
  ];

  it('matches: every file has its blob\'s MD5 and nothing else is there', () => {
    assert.equal(cachedModelProblem(dir, blobs()), undefined);
  });
  it('a changed, missing or extra file, a link in place of a file, a blob without Content-MD5: each named', () => {
    fs.writeFileSync(path.join(dir, 'model', 'w.json'), '{"w": 3}');
    assert.match(String(cachedModelProblem(dir, blobs())), /^'model\/w\.json' differs from its blob \(MD5 \S+, Content-MD5 \S+\)$/);
    fs.rmSync(path.join(dir, 'model', 'w.json'));
    assert.equal(cachedModelProblem(dir, blobs()), "'model/w.json' is missing");
    fs.symlinkSync(path.join(dir, 'model', 'meta', 'info.txt'), path.join(dir, 'model', 'w.json'));
    assert.equal(cachedModelProblem(dir, blobs()), "'model/w.json' is not a regular file");
    fs.rmSync(path.join(dir, 'model', 'w.json'));
    fs.writeFileSync(path.join(dir, 'model', 'w.json'), '{"w": 2}');
    fs.writeFileSync(path.join(dir, 'model', 'extra.py'), 'x');
    assert.equal(cachedModelProblem(dir, blobs()), 'it holds 3 entries, the model 2 files');
    const [first, second] = blobs();
    assert.equal(cachedModelProblem(dir, [{ ...first, md5: undefined }, second]), "blob 'm/1/model/w.json' has no Content-MD5 to check the cached copy against");
  });
});
