// ProbeEndpoint: is the deployed scoring endpoint ready, right and fast enough? (tasks/ProbeEndpoint/README.md)
// The steps are in main.ts.
import { runTask } from '../../shared/src/task';
import { main } from './main';

void runTask(() => main());
