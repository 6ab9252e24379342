// CreateImage L0 scenario: workers outside 1-64.
import { runCreateImageScenario } from './common';

runCreateImageScenario({ workers: '0' });
