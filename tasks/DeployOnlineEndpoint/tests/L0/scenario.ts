// DeployOnlineEndpoint L0 scenario: the options come from L0_ONLINE_SCENARIO_OPTIONS (set by L0.test.ts).
import { runOnlineScenario, type OnlineScenario } from './common';

runOnlineScenario(JSON.parse(process.env.L0_ONLINE_SCENARIO_OPTIONS ?? '{}') as OnlineScenario);
