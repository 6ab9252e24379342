// DeployToACI L0 scenario: secretEnvironmentVariables without keyVault.
import { runDeployScenario } from './common';

runDeployScenario({ keyVault: undefined });
