// Issue 15 item 2: the build context copies sourceDirectory into the image; a symbolic link leaving it
// (`util.py -> ../../.credentials`) is refused with one line naming the file.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../../shared/src/errors';
import { listFolder } from '../src/buildContext';

describe('CreateImage build context: symbolic links that leave sourceDirectory', () => {
  let base: string;
  let src: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'image-links-'));
    src = path.join(base, 'repo', 'scoring');
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(base, '.credentials'), 'agent secret');
    fs.writeFileSync(path.join(src, 'helpers.py'), 'X = 1\n');
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it('refuses a link to a file outside the folder', () => {
    fs.symlinkSync('../../.credentials', path.join(src, 'util.py'));
    assert.throws(() => listFolder(src, { honourIgnoreFiles: true, inputName: 'sourceDirectory' }), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /^Input 'sourceDirectory': 'util\.py' is a symbolic link to .*\.credentials, outside sourceDirectory .*: refusing to read it\. Expected /);
      return true;
    });
  });

  it('keeps a link inside the folder', () => {
    fs.symlinkSync('helpers.py', path.join(src, 'alias.py'));
    assert.deepEqual(listFolder(src, { honourIgnoreFiles: true, inputName: 'sourceDirectory' }), ['alias.py', 'helpers.py']);
  });
});
