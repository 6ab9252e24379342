// RegisterModel L0 scenario: a user tag with a key the task writes itself.
import { runRegisterScenario } from './common';

runRegisterScenario({ tags: 'team=churn\nado.runId=7' });
