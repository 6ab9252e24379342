// DeployToACI L0 scenario: ACI rejects the PUT: the newly generated scoring key is not stored in Key Vault.
import { runDeployScenario } from './common';

runDeployScenario({}, { rejectPut: true });
