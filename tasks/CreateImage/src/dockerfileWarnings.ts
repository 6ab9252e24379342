// Warnings (never failures) for a user's Dockerfile on an Azure ML inference image that breaks the rules the
// generated one follows (dockerfile.ts): the build may still succeed on another base.
import * as tl from 'azure-pipelines-task-lib/task';
import { amlImageRuleViolations } from './dockerfile';

export function warnAmlImageRules(dockerfileText: string): void {
  for (const v of amlImageRuleViolations(dockerfileText)) {
    tl.warning(`Input 'dockerfile', line ${v.line}: ${v.rule}.`);
  }
}
