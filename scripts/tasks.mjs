// Task folder discovery and loc-file generation, shared by build and tests.
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

// A folder whose name starts with '_' (tasks/_template) is not a task: never validated, bundled or packaged.
export function taskFolders(root) {
  return readdirSync(join(root, 'tasks'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('_') && existsSync(join(root, 'tasks', d.name, 'task.json')))
    .map((d) => d.name)
    .sort();
}

// Mirrors azure-pipelines-tasks' make-util createResjson/createTaskLocJson: every localizable string of
// task.json becomes a `loc.*` key, and task.loc.json refers to it as `ms-resource:loc.*`.
export function locFiles(taskJson) {
  const resjson = {};
  const loc = structuredClone(taskJson);
  const put = (key, value) => { resjson[key] = value; return `ms-resource:${key}`; };
  for (const k of ['friendlyName', 'helpMarkDown', 'description', 'instanceNameFormat', 'releaseNotes']) {
    if (taskJson[k] !== undefined) loc[k] = put(`loc.${k}`, taskJson[k]);
  }
  (loc.groups ?? []).forEach((g) => { g.displayName = put(`loc.group.displayName.${g.name}`, g.displayName); });
  (loc.inputs ?? []).forEach((i) => {
    i.label = put(`loc.input.label.${i.name}`, i.label);
    if (i.helpMarkDown) i.helpMarkDown = put(`loc.input.help.${i.name}`, i.helpMarkDown);
  });
  for (const [k, v] of Object.entries(taskJson.messages ?? {})) loc.messages[k] = put(`loc.messages.${k}`, v);
  return { locJson: loc, resjson };
}
