import * as assert from 'node:assert/strict';
import { deploymentBody, isoDuration, newEndpointBody, trafficBody } from '../src/deploymentBody';
import { condaFromRequirements, parseModelId } from '../src/inputs';
import { reuseReason } from '../src/provision';
import { rolloutChart } from '../src/report';
import { safeLine } from '../src/stepCheck';
import { InputError } from '../../shared/src/inputs';

const settings = {
  instanceType: 'Standard_DS3_v2', instanceCount: 2, requestTimeoutMs: 1500, maxConcurrentRequestsPerInstance: 4,
  probe: { initialDelaySeconds: 10, periodSeconds: 5, failureThreshold: 30 }, environmentVariables: new Map([['MODE', 'prod']]),
  appInsights: true, collectData: false, sampleRate: 1,
};
const parts = { location: 'eastus', modelId: '/ws/models/energy/versions/12', codeId: '/ws/codes/abc/versions/1', scoringScript: 'score.py', environmentId: '/ws/environments/e/versions/1', tags: { 'ado.runId': '7' } };

describe('DeployOnlineEndpoint request bodies (2024-04-01)', () => {
  it('a deployment with code, environment, request settings, probes and App Insights; no data collector unless asked', () => {
    const b = deploymentBody(settings, parts);
    assert.deepEqual(b.sku, { name: 'Default', capacity: 2 });
    assert.deepEqual(b.properties.codeConfiguration, { codeId: parts.codeId, scoringScript: 'score.py' });
    assert.equal(b.properties.environmentId, parts.environmentId);
    assert.deepEqual(b.properties.requestSettings, { requestTimeout: 'PT1.5S', maxConcurrentRequestsPerInstance: 4 });
    assert.deepEqual(b.properties.livenessProbe, { initialDelay: 'PT10S', period: 'PT5S', timeout: 'PT2S', failureThreshold: 30, successThreshold: 1 });
    assert.deepEqual(b.properties.readinessProbe, b.properties.livenessProbe);
    assert.equal(b.properties.appInsightsEnabled, true);
    assert.deepEqual(b.properties.environmentVariables, { MODE: 'prod' });
    assert.equal('dataCollector' in b.properties, false);
  });
  it('collectData adds the data collector for model_inputs and model_outputs with the sample rate', () => {
    const b = deploymentBody({ ...settings, collectData: true, sampleRate: 0.25 }, parts);
    const c = { dataCollectionMode: 'Enabled', samplingRate: 0.25 };
    assert.deepEqual(b.properties.dataCollector, { collections: { model_inputs: c, model_outputs: c }, rollingRate: 'Hour' });
  });
  it('an MLflow model without a scoring script: no codeConfiguration and no environment (no-code deployment)', () => {
    const b = deploymentBody(settings, { location: 'eastus', modelId: parts.modelId, tags: {} });
    assert.equal('codeConfiguration' in b.properties, false);
    assert.equal('environmentId' in b.properties, false);
    assert.equal(b.properties.model, parts.modelId);
  });
  it('a new endpoint carries the auth mode and no traffic; a traffic PUT keeps everything else of the endpoint', () => {
    assert.deepEqual(newEndpointBody({ location: 'eastus', authMode: 'aadToken', tags: { a: 'b' } }).properties, { authMode: 'AADToken', traffic: {}, mirrorTraffic: {} });
    const e = { location: 'eastus', tags: { keep: 'me' }, properties: { authMode: 'Key' as const, description: 'prod', traffic: { v1: 100 }, scoringUri: 'https://x/score', provisioningState: 'Succeeded' } };
    assert.deepEqual(trafficBody(e, { traffic: { v1: 90, v2: 10 }, mirrorTraffic: {} }), {
      location: 'eastus', tags: { keep: 'me' }, properties: { authMode: 'Key', description: 'prod', traffic: { v1: 90, v2: 10 }, mirrorTraffic: {} },
    });
  });
  it('ISO durations of milliseconds', () => {
    assert.equal(isoDuration(5000), 'PT5S');
    assert.equal(isoDuration(250), 'PT0.25S');
  });
});

describe('DeployOnlineEndpoint inputs and helpers', () => {
  it('reads modelId as azureml:name:version, name:version, an ARM id, or a name (its latest version)', () => {
    assert.deepEqual(parseModelId('azureml:energy:12'), { name: 'energy', version: '12', text: 'azureml:energy:12' });
    assert.equal(parseModelId('energy:3').version, '3');
    assert.equal(parseModelId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/models/energy/versions/4').name, 'energy');
    assert.deepEqual(parseModelId('energy'), { name: 'energy', text: 'energy' });
    assert.deepEqual(parseModelId('azureml:energy@latest'), { name: 'energy', text: 'azureml:energy@latest' });
    for (const bad of ['azureml:energy', 'a b:1', 'energy:1:2', '/models/energy']) {
      assert.throws(() => parseModelId(bad), (e: unknown) => e instanceof InputError && e.input === 'modelId');
    }
  });
  it('wraps pip requirements in a conda file (comments and blank lines dropped)', () => {
    const y = condaFromRequirements('scikit-learn==1.4.2  # pinned\n\nnumpy\n');
    assert.match(y, /^dependencies:$/m);
    assert.match(y, /- "scikit-learn==1\.4\.2"/);
    assert.match(y, /- "numpy"/);
    assert.doesNotMatch(y, /pinned/);
  });
  it('reuses green only when it serves already or this run made it', () => {
    const green = { name: 'v12', location: 'eastus', tags: { 'ado.runId': '7' }, properties: { provisioningState: 'Succeeded' } };
    const ep = (traffic: Record<string, number>, mirrorTraffic: Record<string, number> = {}) => ({ location: 'eastus', properties: { authMode: 'Key' as const, traffic, mirrorTraffic } });
    assert.match(reuseReason(green, ep({ v11: 100, v12: 0 }, { v12: 10 }), '8') ?? '', /already receives traffic/);
    assert.match(reuseReason(green, ep({ v11: 100, v12: 0 }), '7') ?? '', /this pipeline run \(7\)/);
    assert.equal(reuseReason(green, ep({ v11: 100, v12: 0 }), '8'), undefined);
    assert.equal(reuseReason({ ...green, properties: { provisioningState: 'Failed' } }, ep({ v11: 100 }), '7'), undefined);
    assert.equal(reuseReason(undefined, ep({ v11: 100 }), '7'), undefined);
  });
  it('a check line from green\'s replies cannot carry an agent command', () => {
    assert.equal(safeLine('agreement: candidate "##vso[task.complete result=Succeeded]"\nx'), 'agreement: candidate "# #vso[task.complete result=Succeeded]" x');
  });
  it('the chart has a bar per step, the p95 lines, and escapes step names', () => {
    const svg = rolloutChart([
      { step: 'mirror 10 %', greenLive: 0, greenMirror: 10, greenP95Ms: 12, blueP95Ms: 10, result: 'passed', detail: '' },
      { step: 'live 10 % <x>', greenLive: 10, greenMirror: 0, greenP95Ms: 14, blueP95Ms: 11, result: 'failed', detail: '' },
    ]);
    assert.equal((svg.match(/<rect /g) ?? []).length, 3);
    assert.equal((svg.match(/<polyline /g) ?? []).length, 2);
    assert.match(svg, /live 10 % &lt;x&gt;/);
    assert.doesNotMatch(svg, /<x>/);
  });
});
