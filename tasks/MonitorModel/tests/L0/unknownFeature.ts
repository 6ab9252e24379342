// MonitorModel L0 scenario: features naming a column the reference lacks.
import { runMonitorScenario } from './common';

runMonitorScenario({ features: 'temperature, humidity' }, 'drift');
