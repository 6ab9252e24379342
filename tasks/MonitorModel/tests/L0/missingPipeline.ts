// MonitorModel L0 scenario: a training pipeline id the project does not have.
import { runMonitorScenario } from './common';

runMonitorScenario({ onDrift: 'retrain', retrainPipelineId: '99' }, 'drift');
