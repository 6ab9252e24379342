// Shared set-up of the ProbeEndpoint L0 scenarios (not a scenario itself). Inputs go through
// TaskMockRunner, the service connection through ENDPOINT_* variables; the scenario runs tests/L0/entry.js,
// which calls the task's main with its dependencies injected (no module is mocked by path):
//   scoringClient: a fake ScoringClient that answers {result: 2x} (401 without an Authorization header) and records what it was built with and
//     how many requests it got; left out when L0_SCORING_URL names a real server (started by the test in
//     another process).
//   createAzureContext: the real connection and credential with a fake SecretClient that records the
//     read and returns VAULT_KEY (no Key Vault is reached); the real getSecret runs on top, so the value
//     is masked as in a real run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AzureContext, KeyVaultClients } from '../../../shared/src/keyvault';
import { L0_SUBSCRIPTION, l0TaskRunner, recordCall } from '../../../shared/tests/l0';
import type { Exchange, ScoringClient, ScoringClientOptions } from '../../src/client';
import type { ProbeDeps } from '../../src/main';

/** Scoring keys planted in the inputs / the vault: the tests check they are masked and never printed. */
export const KEY = 'pl4nted-L0-Scoring-KEY-5c9e2d';
export const VAULT_KEY = 'pl4nted-L0-Vault-KEY-a81f3b';
export const SP_KEY = 'pl4nted-L0-sp-Secret-77d0c4';
export const SUBSCRIPTION = L0_SUBSCRIPTION;
export const MOCK_URL = 'http://scoring.l0.invalid:5001/score';

const redact = (v: string | undefined): string | undefined => v?.split(KEY).join('<KEY>').split(VAULT_KEY).join('<VAULT_KEY>');

class FakeScoringClient {
  private posts = 0;
  private livenessCalls = 0;
  constructor(private readonly o: ScoringClientOptions) {
    recordCall('ScoringClient', { url: o.url.href, authorization: redact(o.headers.Authorization), maxSockets: o.maxSockets, timeoutMs: o.timeoutMs });
  }
  get url(): URL {
    return this.o.url;
  }
  async liveness(): Promise<Exchange> {
    this.livenessCalls++;
    return { status: 200, body: Buffer.from('Healthy'), latencyMs: 1 };
  }
  async score(body: Buffer): Promise<Exchange> {
    const n = this.posts++;
    // the fake endpoint checks a key, as the scoring server does (every probing scenario sends one)
    if (!this.o.headers.Authorization) return { status: 401, body: Buffer.from('{"error":"missing key"}'), latencyMs: 1 };
    const x = (JSON.parse(body.toString('utf8')) as { x: number }).x;
    return { status: 200, body: Buffer.from(JSON.stringify({ result: x * 2 })), latencyMs: 2 + (n % 5) };
  }
  close(): void {
    recordCall('ScoringClient.close', { url: this.o.url.href, posts: this.posts, livenessCalls: this.livenessCalls });
  }
}

/** Runs ProbeEndpoint with the default valid inputs, overridden by `inputs` (undefined removes one). */
export function runProbeScenario(inputs: Record<string, string | undefined> = {}): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l0-probe-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const payloadFile = path.join(dir, 'payloads.jsonl');
  fs.writeFileSync(payloadFile, '{"x": 1}\n{"x": 2}\n{"x": 3}\n');
  const expectedFile = path.join(dir, 'expected.jsonl');
  fs.writeFileSync(expectedFile, '{"result": 2}\n{"result": 4}\n{"result": 6}\n');
  const realServer = process.env.L0_SCORING_URL;
  const all: Record<string, string | undefined> = {
    scoringUri: realServer ?? MOCK_URL,
    authKey: KEY,
    payloadFile,
    expectedResponseFile: expectedFile,
    readinessTimeoutSeconds: '10',
    warmupRequests: '2',
    requestCount: '20',
    concurrency: '2',
    maxLatencyP95Ms: '5000',
    publishTestResults: 'false',
    ...inputs,
  };
  const tmr = l0TaskRunner(__dirname, { spKey: SP_KEY, variables: { BUILD_SOURCESDIRECTORY: dir }, inputs: all, entry: path.join(__dirname, 'entry.js') });
  tmr.run();
}

/** The dependencies entry.js hands to main: the fake vault, and the fake scoring client unless L0_SCORING_URL names a real server. */
export function l0Deps(): ProbeDeps {
  return {
    // the real connection and credential (nothing is signed in: no fake call asks for a token)
    createAzureContext: (): AzureContext<KeyVaultClients> => {
      // loaded here, not at the top: task-lib reads the inputs when it is first loaded, after the scenario set them
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createAzureSession } = require('../../../shared/src/azureSession') as typeof import('../../../shared/src/azureSession');
      const session = createAzureSession();
      const keyVault = (vault: string) => ({
        vaultUrl: `https://${vault}.vault.azure.net`,
        getSecret: async (secretName: string): Promise<{ value: string }> => {
          recordCall('getSecret', { subscriptionId: session.subscriptionId, scheme: session.connection.scheme, vault, secretName });
          return { value: VAULT_KEY };
        },
      });
      return { ...session, clients: { keyVault } as unknown as KeyVaultClients };
    },
    ...(process.env.L0_SCORING_URL ? {} : { scoringClient: (o: ScoringClientOptions) => new FakeScoringClient(o) as unknown as ScoringClient }),
  };
}
