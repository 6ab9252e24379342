// What RegisterModel's gate decided, in words, from the step's failure message (its reasons line, see
// tasks/RegisterModel/src/gate.ts): a candidate that ties production is not "worse", it is not better,
// and with a required improvement equal is not enough.

/** Why the gate stopped a candidate, as the demo's result table says it. */
export function gateStopWords(message: string): string {
  if (/a tie is not an improvement/.test(message)) return 'the quality gate kept production: the candidate ties it, and equal is not better';
  const m = /improvement (-?[\d.]+(?:e[+-]?\d+)?) \(/i.exec(message);
  const improvement = m ? Number(m[1]) : NaN;
  if (improvement < 0) return 'the quality gate stopped the candidate: it is worse than production';
  if (improvement === 0) return 'the quality gate kept production: the candidate ties it, and equal is not better';
  if (improvement > 0) return 'the quality gate stopped the candidate: better than production, but by less than the required improvement';
  return 'the quality gate stopped the candidate';
}
