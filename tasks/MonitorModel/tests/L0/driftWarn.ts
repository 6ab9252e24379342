// MonitorModel L0 scenario: drift; warn.
import { runMonitorScenario } from './common';

runMonitorScenario({}, 'drift');
