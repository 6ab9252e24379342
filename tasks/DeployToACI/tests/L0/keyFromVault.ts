// DeployToACI L0 scenario: the scoring key secret exists in Key Vault: read and used, nothing stored.
import { runDeployScenario } from './common';

runDeployScenario({}, { vaultHasScoringKey: true });
