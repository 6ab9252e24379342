// MonitorModel L0 scenario: a reference with other columns.
import { runMonitorScenario } from './common';

runMonitorScenario({ referenceData: 'other-columns:1' }, 'drift');
