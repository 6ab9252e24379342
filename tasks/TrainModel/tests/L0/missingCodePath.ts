// TrainModel L0 scenario: a codePath that does not exist.
import { runTrainScenario } from './common';

runTrainScenario({ codePath: '/nonexistent/l0-train-code' });
