// MonitorModel L0 scenario: from after to.
import { runMonitorScenario } from './common';

runMonitorScenario({ from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' }, 'drift');
