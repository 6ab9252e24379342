// Issue 15 item 7: a model blob's name decides where it is written. Both separators split it (a Windows
// agent reads `\` as one), `..` is refused and the result must stay under the download folder.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { TaskError } from '../../shared/src/errors';
import { checkStorageHost, modelFilePath } from '../src/model';

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

describe("CreateImage: the storage token goes only to the connection's cloud (issue 15 item 3, model blob URLs)", () => {
  it('accepts https://<account>.blob.<suffix> exactly', () => {
    checkStorageHost('mlstore01.blob.core.windows.net', 'core.windows.net');
    checkStorageHost('MLSTORE01.blob.core.usgovcloudapi.net', 'core.usgovcloudapi.net');
  });
  for (const host of ['x.blob.attacker.example', 'mlstore01.blob.core.windows.net.attacker.example', 'evil.blob.core.windows.net.', 'a.b.blob.core.windows.net', 'mlstore01.blob.core.chinacloudapi.cn', 'blob.core.windows.net']) {
    it(`refuses ${host}, naming it`, () => {
      assert.throws(() => checkStorageHost(host, 'core.windows.net'), (e: unknown) => e instanceof TaskError && e.message.includes(`'${host}'`) && /refusing to send it a token/.test(e.message));
    });
  }
});
