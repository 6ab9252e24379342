// MonitorModel L0 scenario: productionData as a URL.
import { runMonitorScenario } from './common';

runMonitorScenario({ productionData: 'https://evil.example.com/data/' }, 'drift');
