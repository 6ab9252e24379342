// MonitorModel L0 scenario: the green deployment of the same model, with a trend of the old per-model layout stored.
import { runMonitorScenario } from './common';

runMonitorScenario({ productionData: 'energy-ep-green-model_inputs' }, 'drift', { oldTrend: true });
