// RegisterModel L0 scenario: a model name with a space.
import { runRegisterScenario } from './common';

runRegisterScenario({ modelName: 'churn model' });
