// TrainModel L0 scenario: waitForCompletion=false: succeeds once the job is submitted, without waiting or reading metrics.
import { runTrainScenario } from './common';

runTrainScenario({ waitForCompletion: 'false' });
