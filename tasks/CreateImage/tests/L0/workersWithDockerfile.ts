// CreateImage L0 scenario: workers given with the user's own Dockerfile (it only shapes the generated one).
import { runCreateImageScenario } from './common';

runCreateImageScenario({ workers: '2', dockerfile: __filename });
