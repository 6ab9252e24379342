// DeployToACI L0 scenario: an image reference with a space.
import { runDeployScenario } from './common';

runDeployScenario({ imageUri: 'mlacr12345.azurecr.io/churn model:3' });
