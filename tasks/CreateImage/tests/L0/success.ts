// CreateImage L0 scenario: default inputs: model id, the workspace registry, default image name and tag.
import { runCreateImageScenario } from './common';

runCreateImageScenario();
