// RegisterModel L0 scenario: action=promote of an explicit version: the production tag moves to it.
import { runRegisterScenario } from './common';

runRegisterScenario({ action: 'promote', modelVersion: '3', jobName: undefined, gateMetric: undefined, tags: undefined, description: undefined });
