// RegisterModel: gate a candidate model against production and register it, or promote a version.
// The steps are in main.ts.
import { runTask } from '../../shared/src/task';
import { main } from './main';

void runTask(() => main());
