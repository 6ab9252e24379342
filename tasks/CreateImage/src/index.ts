// CreateImage: model version -> build context -> image in ACR (built with ACR Tasks, or reused).
// The steps are in main.ts.
import { runTask } from '../../shared/src/task';
import { main } from './main';

void runTask(() => main());
