// RegisterModel L0 scenario: a local model folder with a metrics file, no version holds the production tag: noBaseline, uploaded, registered.
import { runRegisterScenario } from './common';

runRegisterScenario({ modelSourceType: 'local', modelPath: '<modelDir>', jobName: undefined, metricsFile: '<metricsFile>', productionTag: 'stage=gold', modelType: 'mlflow_model' }, { metricsFile: '{"accuracy": 0.91, "f1": 0.8}' });
