// Registers a secret with the agent (`##vso[task.setsecret]`) so the log shows *** in its place.
// task-lib 5 throws "Secrets cannot contain multiple lines" for a value with CR or LF, and the agent's
// masker works on log lines anyway: a multi-line value (a PEM key, a multi-line Key Vault secret) is
// registered line by line. PEM armour lines (-----BEGIN/END ...-----) are not secret and stay readable.
import * as tl from 'azure-pipelines-task-lib/task';

const PEM_ARMOUR = /^-----(BEGIN|END) [A-Z0-9 ]+-----$/;
/** Lines shorter than this are not registered: masking "a" or "==" would blank out the whole log. */
const MIN_LINE = 4;

export function maskSecret(value: string | undefined | null): void {
  if (!value) return;
  if (!/[\r\n]/.test(value)) {
    tl.setSecret(value);
    return;
  }
  for (const line of value.split(/\r\n|\r|\n/)) {
    const t = line.trim();
    if (t.length >= MIN_LINE && !PEM_ARMOUR.test(t)) tl.setSecret(t);
  }
}
