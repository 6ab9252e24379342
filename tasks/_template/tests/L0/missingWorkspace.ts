// Template L0 scenario: the workspace does not exist; the task fails naming it, with no output.
import { runTemplateScenario } from './common';

runTemplateScenario({ workspaceName: 'ws-gone' });
