// CreateImage L0 scenario: a workspace name with a space.
import { runCreateImageScenario } from './common';

runCreateImageScenario({ workspaceName: 'my ws' });
