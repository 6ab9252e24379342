// The generated Dockerfile against the rules of Microsoft's samples for extending Azure ML inference images
// (non-root dockeruser, conda under /opt/miniconda/envs, COPY --chown, one CMD), and the warnings a user's
// Dockerfile gets when it breaks them.
import * as assert from 'assert';
import { amlImageRuleViolations, generateScoringDockerfile, instructions, isAmlInferenceImage } from '../src/dockerfile';

const AML_BASE = 'mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference:latest';

describe('CreateImage Dockerfile rules', () => {
  it('recognises Azure ML inference images', () => {
    assert.ok(isAmlInferenceImage(AML_BASE));
    assert.ok(isAmlInferenceImage('mcr.microsoft.com/azureml/curated/sklearn-1.5-ubuntu22.04-py39-cpu-inference@sha256:' + 'a'.repeat(64)));
    assert.ok(!isAmlInferenceImage('python:3.11-slim'));
    assert.ok(!isAmlInferenceImage('mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest'));
  });

  for (const environment of ['conda', 'pip', undefined] as const) {
    it(`generates a Dockerfile that follows the rules on an Azure ML image (${environment ?? 'no environment file'})`, () => {
      const text = generateScoringDockerfile({ baseImage: AML_BASE, environment, modelId: 'azureml:churn:3' });
      assert.deepStrictEqual(amlImageRuleViolations(text), []);
      const ins = instructions(text);
      const firstWork = ins.findIndex((x) => x.keyword === 'COPY' || x.keyword === 'RUN');
      assert.strictEqual(ins.filter((x) => x.keyword === 'USER').map((x) => x.args).join(), 'dockeruser');
      assert.ok(ins.findIndex((x) => x.keyword === 'USER') < firstWork, 'USER dockeruser before the first COPY/RUN');
      for (const c of ins.filter((x) => x.keyword === 'COPY')) assert.match(c.args, /^--chown=dockeruser:dockeruser /);
      assert.deepStrictEqual(ins.filter((x) => x.keyword === 'CMD').map((x) => x.args), ['["python", "/var/azureml-app/scoring/server.py"]']);
      assert.doesNotMatch(text, /\/azureml-envs|USER root|sudo/);
      if (environment === 'conda') {
        assert.match(text, /^RUN conda env create -p \/opt\/miniconda\/envs\/userenv -f \/var\/azureml-app\/environment\/conda\.yml/m);
        assert.match(text, /^ENV AZUREML_CONDA_ENVIRONMENT_PATH=\/opt\/miniconda\/envs\/userenv$/m);
        assert.match(text, /^ENV PATH=\/opt\/miniconda\/envs\/userenv\/bin:\$PATH LD_LIBRARY_PATH=\/opt\/miniconda\/envs\/userenv\/lib:\$LD_LIBRARY_PATH$/m);
      }
      if (environment === 'pip') assert.match(text, /^RUN python -m pip install --no-cache-dir -r \/var\/azureml-app\/environment\/requirements\.txt$/m);
      assert.doesNotMatch(text, /WORKER_COUNT/, 'no WORKER_COUNT unless asked: the server uses the CPU count');
    });
  }

  it('bakes the workers input into WORKER_COUNT', () => {
    assert.match(generateScoringDockerfile({ baseImage: AML_BASE, modelId: 'azureml:m:1', workers: 4 }), /^ENV WORKER_COUNT=4$/m);
  });

  it('adds no dockeruser on other bases (the user may not exist there)', () => {
    const text = generateScoringDockerfile({ baseImage: 'python:3.11-slim', environment: 'pip', modelId: 'azureml:m:1' });
    assert.doesNotMatch(text, /dockeruser/);
    assert.deepStrictEqual(amlImageRuleViolations(text), []);
  });

  it("flags a user's Dockerfile that breaks the rules (and the Dockerfile this task generated before)", () => {
    const bad = [
      `FROM ${AML_BASE}`,
      'COPY environment/conda.yml /var/azureml-app/environment/conda.yml',
      'RUN conda env create -p /azureml-envs/scoring -f /var/azureml-app/environment/conda.yml',
      'RUN apt-get update && apt-get install -y libgomp1',
      'USER root',
      'COPY scoring/ /var/azureml-app/scoring/',
      '',
    ].join('\n');
    assert.deepStrictEqual(amlImageRuleViolations(bad).map((v) => [v.line, v.rule.split(':')[0].split(' without')[0]]), [
      [2, 'COPY'],
      [3, 'conda environment created outside /opt/miniconda/envs/, where the non-root user cannot write'],
      [4, 'system packages installed as the non-root user'],
      [6, 'the image ends as root'],
      [1, 'no CMD'],
    ]);
    const twoCmds = `FROM ${AML_BASE}\nCMD ["a"]\nCMD ["b"]\n`;
    assert.deepStrictEqual(amlImageRuleViolations(twoCmds), [{ line: 2, rule: 'more than one CMD: only the last one counts' }]);
    const good = [
      `FROM python:3.11 AS build`, 'RUN echo built > /out',
      `FROM ${AML_BASE}`, 'USER root', 'RUN apt-get update && apt-get install -y libgomp1', 'USER dockeruser',
      'COPY --chown=dockeruser:dockeruser scoring/ /var/azureml-app/scoring/', 'COPY --from=build /out /tmp/out',
      'RUN conda env create -p /opt/miniconda/envs/userenv -f /tmp/conda.yml', 'CMD ["python", "/var/azureml-app/scoring/server.py"]', '',
    ].join('\n');
    assert.deepStrictEqual(amlImageRuleViolations(good), []);
  });
});
