// RegisterModel L0 scenario: a completed job's output, gate on accuracy beats production (0.93 vs 0.90): registered as the next version.
import { runRegisterScenario } from './common';

runRegisterScenario();
