// MonitorModel L0 scenario: no drift.
import { runMonitorScenario } from './common';

runMonitorScenario({ onDrift: 'fail' }, 'noDrift');
