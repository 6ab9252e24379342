// TrainModel L0 scenario: an azureml: environment reference without version or @latest.
import { runTrainScenario } from './common';

runTrainScenario({ environment: 'azureml:sklearn-env' });
