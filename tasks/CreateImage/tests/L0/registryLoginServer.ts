// CreateImage L0 scenario: containerRegistry given as a login server.
import { runCreateImageScenario } from './common';

runCreateImageScenario({ containerRegistry: 'mlacr12345.azurecr.io' });
