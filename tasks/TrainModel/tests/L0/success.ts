// TrainModel L0 scenario: default inputs (azureml:name:version environment, job inputs, tags), a new job that completes with metrics.
import { runTrainScenario } from './common';

runTrainScenario();
