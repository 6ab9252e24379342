// TrainModel L0 scenario: instanceCount 0.
import { runTrainScenario } from './common';

runTrainScenario({ instanceCount: '0' });
