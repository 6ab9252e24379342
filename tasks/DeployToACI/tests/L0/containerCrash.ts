// DeployToACI L0 scenario: the container crash-loops: events and log tail (with a ##vso injection attempt) printed, the task fails.
import { runDeployScenario } from './common';

runDeployScenario({}, { crash: true });
