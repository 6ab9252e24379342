// DeployToACI L0 scenario: registryCredentials 'given' with a password but no user name.
import { runDeployScenario } from './common';

runDeployScenario({ registryCredentials: 'given', registryPassword: 'L0-planted-acr-Pass-aci-d13e88' });
