// DeployToACI: deploys a scoring image as an ACI container group and waits until it serves
// (tasks/DeployToACI/README.md). The steps are in main.ts.
import { runTask } from '../../shared/src/task';
import { main } from './main';

void runTask(() => main());
