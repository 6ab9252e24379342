// ProbeEndpoint L0 scenario: concurrency larger than requestCount.
import { runProbeScenario } from './common';

runProbeScenario({ requestCount: '5', concurrency: '10' });
