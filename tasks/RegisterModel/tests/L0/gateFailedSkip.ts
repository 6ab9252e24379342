// RegisterModel L0 scenario: a local candidate worse than production with onGateFailure=skip: SucceededWithIssues, nothing uploaded or registered.
import { runRegisterScenario } from './common';

runRegisterScenario({ modelSourceType: 'local', modelPath: '<modelDir>', jobName: undefined, metricsFile: '<metricsFile>', onGateFailure: 'skip' }, { metricsFile: '{"accuracy": 0.85}' });
