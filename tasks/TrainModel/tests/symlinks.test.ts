// Issue 15 item 2: a pull request can add `src/x -> ../../../.credentials`; the code snapshot must not
// upload the agent file it points at. Links inside codePath are followed; a link leaving it is refused
// with one line naming the file.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../../shared/src/errors';
import { listSnapshotFiles } from '../../shared/src/assets';

describe('TrainModel snapshot: symbolic links that leave codePath', () => {
  let base: string;
  let code: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'train-links-'));
    code = path.join(base, 'repo', 'code');
    fs.mkdirSync(path.join(code, 'src'), { recursive: true });
    fs.writeFileSync(path.join(base, '.credentials'), 'agent secret');
    fs.writeFileSync(path.join(code, 'src', 'train.py'), 'print(1)\n');
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it('refuses a file link to a file outside codePath, naming the file', () => {
    fs.symlinkSync('../../../.credentials', path.join(code, 'src', 'x'));
    assert.throws(() => listSnapshotFiles(code), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /^Input 'codePath': 'src\/x' is a symbolic link to .*\.credentials, outside codePath .*: refusing to read it\. Expected /);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
  });

  it('follows a link that stays inside codePath, and skips an ignored outside link', () => {
    fs.symlinkSync('train.py', path.join(code, 'src', 'alias.py'));
    assert.deepEqual(listSnapshotFiles(code).files.map((f) => f.relativePath), ['src/alias.py', 'src/train.py']);
    fs.symlinkSync('../../../.credentials', path.join(code, 'src', 'x'));
    fs.writeFileSync(path.join(code, '.amlignore'), 'src/x\n');
    assert.deepEqual(listSnapshotFiles(code).files.map((f) => f.relativePath), ['.amlignore', 'src/alias.py', 'src/train.py']);
  });

  it('a codePath reached through a linked folder is compared by real path', () => {
    const linkedRoot = path.join(base, 'linked');
    fs.symlinkSync(code, linkedRoot);
    fs.symlinkSync('train.py', path.join(code, 'src', 'alias.py'));
    assert.equal(listSnapshotFiles(linkedRoot).files.length, 2);
  });
});
