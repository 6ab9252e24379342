// MonitorModel L0 scenario: onDrift=retrain without a pipeline id.
import { runMonitorScenario } from './common';

runMonitorScenario({ onDrift: 'retrain' }, 'drift');
