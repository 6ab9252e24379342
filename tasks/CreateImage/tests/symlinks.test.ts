// Issue 15 item 2: the build context copies sourceDirectory into the image; a symbolic link leaving it
// (`util.py -> ../../.credentials`) is refused with one line naming the file.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as sinon from 'sinon';
import { InputError } from '../../shared/src/errors';
import { stubAgent } from '../../shared/tests/helpers';
import { listFolder } from '../src/buildContext';
import { readInputs } from '../src/inputs';

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

  describe('single files: scoringScript and dockerfile', () => {
    const sb = sinon.createSandbox();
    afterEach(() => sb.restore());
    const inputs = (o: Record<string, string>): Record<string, string> => ({ azureSubscription: 'c', resourceGroup: 'rg-ml', workspaceName: 'mlw', modelId: 'azureml:churn:3', ...o });

    it('refuses a scoringScript that is a link leaving the sources folder', () => {
      fs.writeFileSync(path.join(base, 'stolen.py'), 'def init(): pass\ndef run(x): return x\n');
      fs.symlinkSync('../../stolen.py', path.join(src, 'score.py'));
      stubAgent(sb, { inputs: inputs({ scoringScript: path.join(src, 'score.py') }), variables: { 'Build.SourcesDirectory': path.join(base, 'repo') } });
      assert.throws(() => readInputs(), (e: unknown) => e instanceof InputError && /^Input 'scoringScript': '.*score\.py' is a symbolic link to .*stolen\.py, outside the sources folder .*: refusing to read it\. Expected a file inside the sources folder/.test(e.message));
    });

    it('refuses a dockerfile linked outside; a link inside the sources folder is fine', () => {
      fs.writeFileSync(path.join(src, 'real_score.py'), 'def init(): pass\ndef run(x): return x\n');
      fs.symlinkSync('real_score.py', path.join(src, 'score.py'));
      fs.symlinkSync('../../.credentials', path.join(src, 'Dockerfile'));
      stubAgent(sb, { inputs: inputs({ scoringScript: path.join(src, 'score.py'), dockerfile: path.join(src, 'Dockerfile') }), variables: { 'Build.SourcesDirectory': path.join(base, 'repo') } });
      assert.throws(() => readInputs(), (e: unknown) => e instanceof InputError && /^Input 'dockerfile': .* is a symbolic link to .*\.credentials, outside the sources folder/.test(e.message));
    });
  });
});
