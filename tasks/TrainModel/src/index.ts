// TrainModel: code snapshot → environment → command job (submitted once per pipeline run) → wait →
// metrics, outputs and summary (tasks/TrainModel/README.md). The steps are in main.ts.
import { runTask } from '../../shared/src/task';
import { main } from './main';

void runTask(() => main());
