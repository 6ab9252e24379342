// Template L0 scenario: the workspace exists; its id becomes the output.
import { runTemplateScenario } from './common';

runTemplateScenario();
