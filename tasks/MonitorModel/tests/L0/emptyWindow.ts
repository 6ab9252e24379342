// MonitorModel L0 scenario: a window with nothing collected.
import { runMonitorScenario } from './common';

runMonitorScenario({ from: '2026-12-10T00:00:00Z', to: '2026-12-11T00:00:00Z' }, 'drift');
