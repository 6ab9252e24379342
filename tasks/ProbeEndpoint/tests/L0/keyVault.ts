// ProbeEndpoint L0 scenario: the scoring key read from Key Vault through the service connection (fake client and vault).
import { runProbeScenario } from './common';

runProbeScenario({ authKey: undefined, keyVault: 'kv-probe', authKeySecret: 'scoring-key', azureSubscription: 'conn-arm' });
