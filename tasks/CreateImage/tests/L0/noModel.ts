// CreateImage L0 scenario: neither modelId nor modelName.
import { runCreateImageScenario } from './common';

runCreateImageScenario({ modelId: undefined });
