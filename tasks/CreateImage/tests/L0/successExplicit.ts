// CreateImage L0 scenario: model name + version, a registry by name, explicit image name and tag, no reuse.
import { runCreateImageScenario } from './common';

runCreateImageScenario({ modelId: undefined, modelName: 'churn', modelVersion: '7', containerRegistry: 'otheracr01', imageName: 'scoring/churn', imageTag: 'v7', reuseExistingImage: 'false', timeoutMinutes: '5' });
