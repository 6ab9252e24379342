// MonitorModel L0 scenario: drift in temperature; retraining queued.
import { runMonitorScenario } from './common';

runMonitorScenario({ onDrift: 'retrain', retrainPipelineId: '12', retrainBranch: 'main' }, 'drift');
