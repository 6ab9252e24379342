// DeployToACI L0 scenario: a container group name with upper case and an underscore.
import { runDeployScenario } from './common';

runDeployScenario({ containerGroupName: 'Churn_Staging' });
