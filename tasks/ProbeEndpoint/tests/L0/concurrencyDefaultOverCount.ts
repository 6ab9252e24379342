// ProbeEndpoint L0 scenario: requestCount below the default concurrency, concurrency not set.
import { runProbeScenario } from './common';

runProbeScenario({ requestCount: '3', concurrency: undefined });
