// RegisterModel L0 scenario: modelSourceType job without jobName.
import { runRegisterScenario } from './common';

runRegisterScenario({ jobName: undefined });
