// ProbeEndpoint L0 scenario: payloadFile that does not exist.
import { runProbeScenario } from './common';

runProbeScenario({ payloadFile: '/nonexistent/l0/payloads.jsonl' });
