// MonitorModel L0 scenario: windowHours that is not a number.
import { runMonitorScenario } from './common';

runMonitorScenario({ from: undefined, to: undefined, windowHours: 'a day' }, 'drift');
