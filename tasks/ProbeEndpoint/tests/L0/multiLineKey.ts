// ProbeEndpoint L0 scenario: a multi-line authKey (each line must be masked, the input named).
import { KEY, runProbeScenario } from './common';

runProbeScenario({ authKey: `${KEY}\nsecond-${KEY}` });
