// TrainModel L0 scenario: an earlier attempt's job is still running: re-attach to it, nothing uploaded or submitted.
import { runTrainScenario } from './common';

runTrainScenario({ jobName: 'churn-train-7' }, { plan: 'attach' });
