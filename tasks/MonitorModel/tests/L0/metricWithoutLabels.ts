// MonitorModel L0 scenario: gateMetric without labelsData.
import { runMonitorScenario } from './common';

runMonitorScenario({ gateMetric: 'rmse' }, 'drift');
