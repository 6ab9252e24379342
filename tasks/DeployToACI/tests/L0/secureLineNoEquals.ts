// DeployToACI L0 scenario: a secure environment line that is only the secret (no NAME=): reported by line number, never shown.
import { runDeployScenario } from './common';

runDeployScenario({ secureEnvironmentVariables: 'MODE_SECRET=x1y2z3\nL0-planted-db-Pass-aci-77f2c0' });
