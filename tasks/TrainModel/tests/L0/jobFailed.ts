// TrainModel L0 scenario: the job ends Failed: its error and log tail (with a ##vso injection attempt) are printed, the task fails.
import { runTrainScenario } from './common';

runTrainScenario({}, { finalStatus: 'Failed' });
