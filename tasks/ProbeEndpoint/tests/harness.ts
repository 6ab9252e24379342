// What the reliability suite (test/reliability) and the runtime runs (test/integration/runtimes.test.ts) need to
// know about ProbeEndpoint: the emulator seeding and happy-path inputs, the bad-input cases, where the fault matrix
// hits it mid-run, one failure on each Node runtime. The suites find this file by the folder's name.
import * as crypto from 'crypto';
import {
  bedFor, fixtureOn, tempDir, writeFile, type Fixture, type FixtureOptions, type TaskHarness,
} from '../../../test/reliability/fixture';
import { startScoringServer, type ScoringServer } from './helpers/scoringServer';

export type ProbeFixture = Fixture & { server: ScoringServer; key: string; payloadFile: string };
async function fixture(where: FixtureOptions): Promise<ProbeFixture> {
  const b = await bedFor(where);
  const emu = b.emulator;
  const key = `probekey-${crypto.randomBytes(12).toString('hex')}`;
  emu.state.setSecret('kv-test', 'rel-probe-key', key);
  const server = await startScoringServer({ key });
  const work = tempDir('probe');
  const payloadFile = writeFile(work, 'payloads.jsonl', '{"x": 1}\n{"x": 2}\n');
  return fixtureOn(where, b, {
    inputs: () => ({
      keyVault: 'kv-test', authKeySecret: 'rel-probe-key',
      scoringUri: server.url, payloadFile, readinessTimeoutSeconds: '10', warmupRequests: '1', requestCount: '10', concurrency: '2',
    }),
    plantedSecrets: () => [key],
    stop: () => server.close(),
  }, { server, key, payloadFile });
}

export const harness: TaskHarness = {
  fixture,
  badInputs: ({ file, missing }) => [
    { title: 'scoringUri with an ftp scheme', inputs: () => ({ scoringUri: 'ftp://example.localhost/score' }), input: 'scoringUri' },
    { title: 'relative scoringUri', inputs: () => ({ scoringUri: '/score' }), input: 'scoringUri' },
    { title: 'negative requestCount', inputs: () => ({ requestCount: '-5' }), input: 'requestCount' },
    { title: 'concurrency 0', inputs: () => ({ concurrency: '0' }), input: 'concurrency' },
    { title: 'payloadFile that does not exist', inputs: () => ({ payloadFile: missing('payloads.jsonl') }), input: 'payloadFile' },
    { title: 'payloadFile with invalid JSON Lines', inputs: () => ({ payloadFile: file('bad.jsonl', '{"x": 1}\n{"x": }\n') }), input: 'payloadFile' },
    { title: 'authKey together with Key Vault', inputs: () => ({ authKey: 'pl4nted-key-both' }), input: 'authKey' },
    { title: 'maxErrorRate above 1', inputs: () => ({ maxErrorRate: '5' }), input: 'maxErrorRate' },
    { title: 'minAgreement without a baseline', inputs: () => ({ minAgreement: '0.9' }), input: 'minAgreement' },
    { title: 'header line without a separator', inputs: () => ({ headers: 'X-Api-Key pl4nted-header-value' }), input: 'headers' },
    { title: 'expectedStatus out of range', inputs: () => ({ expectedStatus: '999' }), input: 'expectedStatus' },
    { title: 'Key Vault without a service connection', inputs: () => ({ azureSubscription: '' }), input: 'azureSubscription' },
  ],
  faults: {
    // its only Azure calls: the scoring key from Key Vault (challenge, token, GET); its one token, so no tokenAfter
    what: 'the Key Vault secret read (GET kv-test/secrets/<name>) after the challenge; the Key Vault token',
    target: { kind: 'throttle', host: /\.vault\.localhost$/, method: 'GET', path: /\/secrets\/rel-probe-key/ },
    after: () => true,
  },
  failure: { title: 'a scoring key secret that does not exist', inputs: { authKeySecret: 'no-such-secret' }, names: /secret 'no-such-secret'/ },
};
