// What a task's main returns: the result the runner sets, once, at the end of the run.

export type OutcomeResult = 'Succeeded' | 'SucceededWithIssues' | 'Failed';

export interface Outcome {
  result: OutcomeResult;
  /** The line shown with the result (an error for Failed, a warning for SucceededWithIssues). */
  message?: string;
}

export function succeeded(message?: string): Outcome {
  return message === undefined ? { result: 'Succeeded' } : { result: 'Succeeded', message };
}

export function succeededWithIssues(message: string): Outcome {
  return { result: 'SucceededWithIssues', message };
}

/** A failure decided by the task itself (a failed job, a failed gate) after its outputs were set. */
export function failed(message: string): Outcome {
  return { result: 'Failed', message };
}
