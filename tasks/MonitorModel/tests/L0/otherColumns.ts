// MonitorModel L0 scenario: a reference with other columns (records only: positional requests would take the reference's names).
import { runMonitorScenario } from './common';

runMonitorScenario({ referenceData: 'other-columns:1' }, 'records');
