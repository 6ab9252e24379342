// RegisterModel L0 scenario: the candidate is worse than production (0.85 vs 0.90) with onGateFailure=fail (default): the task fails, nothing registered.
import { runRegisterScenario } from './common';

runRegisterScenario({}, { jobAccuracy: 0.85 });
