// ProbeEndpoint L0 scenario: a key typed into authKey, answers checked, load measured (fake client).
import { runProbeScenario } from './common';

runProbeScenario();
