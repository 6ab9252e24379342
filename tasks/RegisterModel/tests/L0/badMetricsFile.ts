// RegisterModel L0 scenario: a metrics file that is a JSON array, not an object.
import { runRegisterScenario } from './common';

runRegisterScenario({ metricsFile: '<metricsFile>' }, { metricsFile: '[0.93]' });
