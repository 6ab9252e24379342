// TrainModel L0 scenario: an experiment name with a space.
import { runTrainScenario } from './common';

runTrainScenario({ experimentName: 'churn exp' });
