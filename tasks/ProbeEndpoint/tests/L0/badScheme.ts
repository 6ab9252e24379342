// ProbeEndpoint L0 scenario: scoringUri with an ftp:// scheme.
import { runProbeScenario } from './common';

runProbeScenario({ scoringUri: 'ftp://scoring.l0.invalid/score' });
