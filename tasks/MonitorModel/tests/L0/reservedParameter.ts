// MonitorModel L0 scenario: retrainParameters setting retrainReason.
import { runMonitorScenario } from './common';

runMonitorScenario({ onDrift: 'retrain', retrainPipelineId: '12', retrainParameters: 'retrainReason=mine' }, 'drift');
