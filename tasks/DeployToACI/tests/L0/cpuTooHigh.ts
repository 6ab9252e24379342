// DeployToACI L0 scenario: cpu above the ACI limit of 4 cores.
import { runDeployScenario } from './common';

runDeployScenario({ cpu: '8' });
