// DeployToACI L0 scenario: a new group: workspace registry admin credentials, App Insights, Key Vault variables, a scoring key generated and stored in the vault; the container runs.
import { runDeployScenario } from './common';

runDeployScenario();
