// ProbeEndpoint L0 scenario: against a scoring server the test runs in another process (L0_SCORING_URL).
import { runProbeScenario } from './common';

runProbeScenario();
