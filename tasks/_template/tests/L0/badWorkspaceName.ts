// Template L0 scenario: a workspace name with a space fails before any Azure call.
import { runTemplateScenario } from './common';

runTemplateScenario({ workspaceName: 'my ws' });
