// The task as its L0 scenarios run it: main with the scenario's dependencies injected (see common.ts).
import { runTask } from '../../../shared/src/task';
import { main } from '../../src/main';
import { l0Deps } from './common';

void runTask(() => main(l0Deps()));
