// Front door for the task's own run: the runner and the outcome main returns, cancellation, the log,
// outputs, the run summary and lineage tags. Azure lives behind azure.ts, inputs behind inputs.ts.
export { runTask, failureMessage } from './runner';
export { failed, succeeded, succeededWithIssues, type Outcome, type OutcomeResult } from './outcome';
export { cancellationSignal, isCancelling, onCancel } from './cancellation';
export { AzureCallError, CancelledError, DeploymentFailedError, InputError, TaskError, TimeoutError } from './errors';
export { formatTable, group, printTable, printUntrusted } from './log';
export { displayUri, untrusted, untrustedLines } from './untrusted';
export { setOutput } from './outputs';
export { escapeMarkdown, Markdown, MarkdownSummary } from './summary';
export { lineageTags, pipelineRunKey, pipelineRunUrl } from './lineage';
export { waitUntil, type Clock, type PollResult, type WaitOptions } from './waiter';
