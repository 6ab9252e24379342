'use strict';
// Mocha root hook (.mocharc.json "require"): the emulator's contract check (docs/EMULATOR.md,
// "Contract check") must hold for the whole run. Prints how many requests it validated and fails
// the run when any request or reply broke the official SDK contract.
const path = require('path');

const contractModule = path.join(__dirname, '..', 'out', 'test', 'emulator', 'contract', 'index.js');

exports.mochaHooks = {
  afterAll() {
    if (!require.cache[contractModule]) return; // no emulator ran in this process
    const t = require(contractModule).runTotals;
    process.stdout.write(
      `\ncontract check: ${t.armRequests} ARM requests and ${t.armReplies} replies validated against the SDK schemas, `
      + `${t.armRequestsWithoutSchema} ARM requests on spec routes without an SDK schema, `
      + `${t.dataPlaneRequests} data-plane requests matched to official routes; `
      + `${t.violations.length} violations (${t.expectedViolations} more provoked on purpose by tests)\n`,
    );
    if (t.violations.length > 0) {
      throw new Error(`contract check: ${t.violations.length} violations:\n${t.violations.slice(0, 50).join('\n')}`);
    }
  },
};
