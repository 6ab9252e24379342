// RegisterModel L0 scenario: gateThreshold without gateMetric.
import { runRegisterScenario } from './common';

runRegisterScenario({ gateMetric: undefined, gateThreshold: '0.9' });
