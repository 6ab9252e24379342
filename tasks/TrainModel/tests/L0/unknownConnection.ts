// TrainModel L0 scenario: a service connection id the job has no endpoint for.
import { runTrainScenario } from './common';

runTrainScenario({ azureSubscription: 'conn-missing' });
