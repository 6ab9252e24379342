// RegisterModel L0 scenario: minImprovement that is neither a number nor a percentage.
import { runRegisterScenario } from './common';

runRegisterScenario({ minImprovement: 'a lot' });
