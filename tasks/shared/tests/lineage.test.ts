import './helpers';
import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import { lineageTags, MAX_TAG_VALUE, pipelineRunKey, pipelineRunUrl } from '../src/lineage';
import { stubAgent } from './helpers';

const VARS = {
  'System.CollectionUri': 'https://dev.azure.com/contoso/',
  'System.CollectionId': 'c-1',
  'System.TeamProject': 'Data Science',
  'System.TeamProjectId': 'p-1',
  'System.DefinitionId': '12',
  'Build.DefinitionName': 'train-pipeline',
  'Build.BuildId': '4711',
  'Build.BuildNumber': '20240101.3',
  'Build.Repository.Name': 'ml-repo',
  'Build.SourceBranch': 'refs/heads/main',
  'Build.SourceVersion': 'abc123',
  'System.StageName': 'Train',
  'System.PhaseName': 'TrainJob',
  'System.JobAttempt': '1',
};

describe('lineage', () => {
  const sb = sinon.createSandbox();
  afterEach(() => sb.restore());

  it('lineageTags carries organization, project, pipeline, run, URL, repository, branch, commit', () => {
    stubAgent(sb, { variables: VARS });
    const t = lineageTags({ 'upstream.job': 'train-1' });
    assert.deepEqual(
      {
        org: t['ado.organization'],
        project: t['ado.project'],
        pipeline: t['ado.pipeline'],
        runId: t['ado.runId'],
        runNumber: t['ado.runNumber'],
        runUrl: t['ado.runUrl'],
        repo: t['ado.repository'],
        branch: t['ado.branch'],
        commit: t['ado.commit'],
        up: t['upstream.job'],
      },
      {
        org: 'https://dev.azure.com/contoso/',
        project: 'Data Science',
        pipeline: 'train-pipeline',
        runId: '4711',
        runNumber: '20240101.3',
        runUrl: 'https://dev.azure.com/contoso/Data%20Science/_build/results?buildId=4711',
        repo: 'ml-repo',
        branch: 'refs/heads/main',
        commit: 'abc123',
        up: 'train-1',
      },
    );
    assert.equal(t['ado.release'], undefined);
  });

  it('adds Release.* when present, cuts long values, omits missing ones', () => {
    stubAgent(sb, { variables: { 'Release.ReleaseName': 'Release-5', 'Release.ReleaseId': '5', 'Release.EnvironmentName': 'prod', 'Build.SourceVersion': 'x'.repeat(300) } });
    const t = lineageTags({ long: 'y'.repeat(1000) });
    assert.equal(t['ado.release'], 'Release-5');
    assert.equal(t['ado.environment'], 'prod');
    assert.equal(t['ado.commit'].length, MAX_TAG_VALUE);
    assert.equal(t.long.length, MAX_TAG_VALUE);
    assert.equal(t['ado.runUrl'], undefined);
    assert.equal(pipelineRunUrl(), undefined);
  });

  it('pipelineRunKey is stable across attempts, differs by job/scope, and has an attempt-aware variant', () => {
    stubAgent(sb, { variables: VARS });
    const k1 = pipelineRunKey();
    const a1 = pipelineRunKey({ includeAttempt: true });
    const s1 = pipelineRunKey({ scope: 'model-a' });
    assert.match(k1, /^4711-[0-9a-f]{12}$/);
    assert.notEqual(s1, k1);
    sb.restore();
    stubAgent(sb, { variables: { ...VARS, 'System.JobAttempt': '2' } });
    assert.equal(pipelineRunKey(), k1);
    assert.notEqual(pipelineRunKey({ includeAttempt: true }), a1);
    sb.restore();
    stubAgent(sb, { variables: { ...VARS, 'System.PhaseName': 'OtherJob' } });
    assert.notEqual(pipelineRunKey(), k1);
    sb.restore();
    stubAgent(sb, { variables: {} });
    assert.match(pipelineRunKey(), /^local-[0-9a-f]{12}$/);
  });
});
