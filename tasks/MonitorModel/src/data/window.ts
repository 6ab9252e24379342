// The production window: `windowHours` back from now (default 24), or an explicit `from`/`to`.

export interface Window {
  from: Date; // inclusive
  to: Date; // exclusive
}

export class WindowError extends Error {
  constructor(readonly input: string, message: string) { super(message); this.name = 'WindowError'; }
}

export interface WindowInputs {
  windowHours?: string;
  from?: string;
  to?: string;
}

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function parseTime(input: string, text: string): Date {
  const t = text.trim();
  // a time without a zone is read as UTC: the collector's folders and envelope times are UTC
  const withZone = /T/.test(t) && !/(Z|[+-]\d{2}:?\d{2})$/.test(t) ? `${t}Z` : t;
  const d = new Date(withZone);
  if (!ISO.test(t) || Number.isNaN(d.getTime())) throw new WindowError(input, `${input}: '${text}' is not a date-time; expected ISO 8601, e.g. 2026-12-01T00:00:00Z`);
  return d;
}

export function parseWindow(inputs: WindowInputs, now: Date): Window {
  const hoursText = inputs.windowHours?.trim();
  let hours = 24;
  if (hoursText) {
    hours = Number(hoursText);
    if (!/^\d+(\.\d+)?$/.test(hoursText) || !(hours > 0) || hours > 24 * 366) {
      throw new WindowError('windowHours', `windowHours: '${hoursText}' is not a number of hours; expected a positive number up to 8784 (one year), e.g. 24`);
    }
  }
  const to = inputs.to?.trim() ? parseTime('to', inputs.to) : now;
  const from = inputs.from?.trim() ? parseTime('from', inputs.from) : new Date(to.getTime() - hours * 3600_000);
  if (!(from < to)) throw new WindowError('from', `from: ${from.toISOString()} is not before to ${to.toISOString()}; expected from < to`);
  return { from, to };
}
