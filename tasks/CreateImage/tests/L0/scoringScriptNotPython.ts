// CreateImage L0 scenario: the scoring script is not a .py file.
import { runCreateImageScenario } from './common';

runCreateImageScenario({ scoringScript: __filename });
