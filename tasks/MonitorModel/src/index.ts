// The entry the agent runs: nothing but main with the real dependencies (the steps are in main.ts).
import { runTask } from '../../shared/src/task';
import { main } from './main';

void runTask(() => main());
