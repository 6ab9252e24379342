// MonitorModel L0 scenario: drift; onDrift=fail.
import { runMonitorScenario } from './common';

runMonitorScenario({ onDrift: 'fail' }, 'drift');
