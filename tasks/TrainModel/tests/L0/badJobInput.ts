// TrainModel L0 scenario: a job input URI with an unsupported scheme.
import { runTrainScenario } from './common';

runTrainScenario({ jobInputs: 'learning_rate=0.1\ntraining_data=ftp://files.example.com/churn.csv' });
