import { strict as assert } from 'node:assert';
import { formatImageReference, parseImageReference, registryHostName } from '../src/imageReference';

describe('imageReference', () => {
  const d = 'sha256:' + 'a'.repeat(64);

  it('parses registry with port, tag and digest as Docker does', () => {
    assert.deepStrictEqual(parseImageReference(`mlacr.azurecr.localhost:4431/team/churn:3-42@${d}`), {
      registry: 'mlacr.azurecr.localhost:4431', implicitRegistry: false, repository: 'team/churn', tag: '3-42', digest: d,
    });
    assert.deepStrictEqual(parseImageReference('myacr.azurecr.io/churn:3-42'), { registry: 'myacr.azurecr.io', implicitRegistry: false, repository: 'churn', tag: '3-42' });
    assert.deepStrictEqual(parseImageReference('localhost:5000/a/b:1'), { registry: 'localhost:5000', implicitRegistry: false, repository: 'a/b', tag: '1' });
    assert.deepStrictEqual(parseImageReference('reg.localhost:8443/a'), { registry: 'reg.localhost:8443', implicitRegistry: false, repository: 'a' });
    assert.deepStrictEqual(parseImageReference(`r.io:443/x/y:t@${d}`), { registry: 'r.io:443', implicitRegistry: false, repository: 'x/y', tag: 't', digest: d });
  });

  it('treats a first component without a dot, colon or localhost as a Docker Hub path', () => {
    assert.deepStrictEqual(parseImageReference('nginx'), { registry: 'docker.io', implicitRegistry: true, repository: 'nginx' });
    assert.deepStrictEqual(parseImageReference('python:3.11-slim'), { registry: 'docker.io', implicitRegistry: true, repository: 'python', tag: '3.11-slim' });
    assert.deepStrictEqual(parseImageReference('library/python'), { registry: 'docker.io', implicitRegistry: true, repository: 'library/python' });
  });

  it('rejects what Docker rejects', () => {
    for (const bad of ['', 'UPPER', 'a:b:c', 'a@sha256:123', 'Bad/Repo:tag', 'acr.io/repo:', 'acr.io/repo@sha256:123', 'https://acr.io/repo', 'acr.io/re po']) {
      assert.strictEqual(parseImageReference(bad), undefined, bad);
    }
  });

  it('formats a reference back, keeping Docker Hub implicit', () => {
    assert.strictEqual(formatImageReference({ registry: 'h:1', repository: 'r', tag: 't' }), 'h:1/r:t');
    assert.strictEqual(formatImageReference(parseImageReference('python:3.11-slim')!), 'python:3.11-slim');
    assert.strictEqual(formatImageReference(parseImageReference(`acr.io/x@${d}`)!), `acr.io/x@${d}`);
    assert.strictEqual(registryHostName(parseImageReference('acr.localhost:4431/x')!), 'acr.localhost');
  });
});
