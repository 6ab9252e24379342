// MonitorModel L0 scenario: psiThreshold 0.
import { runMonitorScenario } from './common';

runMonitorScenario({ psiThreshold: '0' }, 'drift');
