// ProbeEndpoint L0 scenario: authKey together with keyVault/authKeySecret.
import { runProbeScenario } from './common';

runProbeScenario({ keyVault: 'kv-probe', authKeySecret: 'scoring-key', azureSubscription: 'conn-arm' });
