// The tasks the cross-task suites run, found in the repository rather than listed: every folder tasks/<Task>
// with a task.json whose name does not start with '_' (the rule of scripts/tasks.mjs, which the build and the
// package use; test/reliability/discovery.test.ts checks both agree), each with its declaration
// tasks/<Task>/tests/harness.ts (`export const harness: TaskHarness`).
import * as fs from 'fs';
import * as path from 'path';
import { ROOT, type TaskHarness, type TaskName } from './fixture';

/** Task folders of a repository checkout (sorted), as scripts/tasks.mjs finds them. */
export function taskFolders(root = ROOT): TaskName[] {
  return fs.readdirSync(path.join(root, 'tasks'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('_') && fs.existsSync(path.join(root, 'tasks', d.name, 'task.json')))
    .map((d) => d.name)
    .sort();
}

/** The source of a task's declaration. */
export function harnessSource(task: TaskName, root = ROOT): string {
  return path.join(root, 'tasks', task, 'tests', 'harness.ts');
}

/** tsc's output folder (out/), where this module runs from. */
const OUT = path.resolve(__dirname, '..', '..');

/** A task's declaration, compiled (out/tasks/<Task>/tests/harness.js); a clear error when the folder has none. */
export function harnessOf(task: TaskName): TaskHarness {
  const file = path.join(OUT, 'tasks', task, 'tests', 'harness.js');
  if (!fs.existsSync(file)) {
    throw new Error(`tasks/${task} has no tests/harness.ts: a task declares its reliability fixture there (copy tasks/_template/tests/harness.ts)`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const m = require(file) as { harness?: TaskHarness };
  if (!m.harness) throw new Error(`tasks/${task}/tests/harness.ts does not export 'harness'`);
  return m.harness;
}
