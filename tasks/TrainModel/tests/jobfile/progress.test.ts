// Unit tests of the job-file run's logic: progress lines of trials and steps, remote text made harmless,
// and where the model output of a pipeline is.
import { strict as assert } from 'node:assert';
import { neutralise, pipelineProgress, sweepProgress, unsuccessful, type ChildRun } from '../../src/jobChildren';
import { modelOutputOf, modelOutputProblem } from '../../src/jobFileOutputs';

const child = (name: string, status: string, displayName = name): ChildRun => ({ name, status, displayName });

describe('jobfile run: progress and outputs', () => {
  it('a sweep line counts done, not completed and running trials and names the best so far', () => {
    const trials = [child('s_0', 'Completed'), child('s_1', 'Failed'), child('s_2', 'Running'), child('s_3', 'NotStarted')];
    assert.equal(sweepProgress(trials), 'Trials: 2 done (1 not completed), 1 running');
    assert.equal(sweepProgress(trials, { trial: 's_0', metric: 'accuracy', value: 0.912345678 }), 'Trials: 2 done (1 not completed), 1 running; best so far: accuracy 0.912346 (trial s_0)');
    assert.deepEqual(unsuccessful(trials).map((c) => c.name), ['s_1']);
  });

  it('a pipeline line names each step with its state', () => {
    assert.equal(pipelineProgress([]), 'Steps: none started yet');
    assert.equal(pipelineProgress([child('g1', 'Completed', 'prep'), child('g2', 'Running', 'train')]), 'Steps: prep Completed, train Running');
  });

  it('remote names and errors cannot become agent commands, lose control characters and secrets', () => {
    assert.equal(neutralise('##vso[task.setvariable variable=x]y\n##[error]z'), '# #vso[task.setvariable variable=x]y # #[error]z');
    assert.equal(neutralise('see https://acct.blob.core.windows.net/c/log.txt?sv=2021&sig=abc'), 'see https://acct.blob.core.windows.net/c/log.txt');
    assert.equal(neutralise('x'.repeat(400)).length, 300);
    assert.equal(pipelineProgress([child('g', 'Failed', '##vso[task.complete result=Succeeded]')]), 'Steps: # #vso[task.complete result=Succeeded] Failed');
  });

  it('modelOutputName is checked against the job before anything is written', () => {
    const pipeline = { properties: { outputs: { trained: {} }, jobs: { prep: {}, train: {} } } };
    assert.equal(modelOutputProblem({ type: 'pipeline', body: pipeline, modelOutputName: 'trained' }), undefined);
    assert.equal(modelOutputProblem({ type: 'pipeline', body: pipeline, modelOutputName: 'train.model' }), undefined);
    assert.equal(modelOutputProblem({ type: 'pipeline', body: pipeline, modelOutputName: 'model' }), undefined, 'the default stays allowed');
    assert.match(modelOutputProblem({ type: 'pipeline', body: pipeline, modelOutputName: 'trainde' }) ?? '', /no output 'trainde' \(its outputs: trained\)/);
    assert.match(modelOutputProblem({ type: 'pipeline', body: pipeline, modelOutputName: 'tran.model' }) ?? '', /step 'tran', which the pipeline does not have \(its steps: prep, train\)/);
    assert.match(modelOutputProblem({ type: 'sweep', body: { properties: {} }, modelOutputName: 'train.model' }) ?? '', /sweep job/);
  });

  it('a step output is the output of that step\'s own child job', () => {
    const children = [child('0d5f…', 'Completed', 'prep'), child('9a1c…', 'Completed', 'train')];
    assert.deepEqual(modelOutputOf({ body: { properties: {} }, jobName: 'pipe', modelOutputName: 'train.model', children }), { jobName: '9a1c…', uri: 'azureml://jobs/9a1c…/outputs/model' });
    assert.deepEqual(modelOutputOf({ body: { properties: {} }, jobName: 'pipe', modelOutputName: 'trained', children }), { jobName: 'pipe', uri: 'azureml://jobs/pipe/outputs/trained' });
    // a pipeline output a step binds: the step's job and output once the pipeline completed, the pipeline's before
    const bound = { properties: { outputs: { trained: {} }, jobs: { train: { outputs: { model: { type: 'literal', value: '${{parent.outputs.trained}}' } } } } } };
    assert.deepEqual(modelOutputOf({ body: bound, jobName: 'pipe', modelOutputName: 'trained', children, completed: true }), { jobName: '9a1c…', uri: 'azureml://jobs/9a1c…/outputs/model' });
    assert.deepEqual(modelOutputOf({ body: bound, jobName: 'pipe', modelOutputName: 'trained', children, completed: false }), { jobName: 'pipe', uri: 'azureml://jobs/pipe/outputs/trained' });
    assert.deepEqual(modelOutputOf({ body: bound, jobName: 'pipe', modelOutputName: 'other', children, completed: true }), { jobName: 'pipe', uri: 'azureml://jobs/pipe/outputs/other' });
    assert.match(modelOutputOf({ body: { properties: {} }, jobName: 'pipe', modelOutputName: 'eval.report', children }).problem ?? '', /step 'eval' of pipeline job 'pipe' has no child job/);
  });
});
