// The least any task could do before its first ARM request, as a yardstick for the tasks' cold start
// (scripts/bench/lifecycle.ts): one client-credentials token request to Entra and one ARM GET, over TLS that
// trusts Node's public roots plus the agent's CA (Agent.CAInfo), with nothing else loaded. Plain JS, run by the
// bench as the agent would run a task (same Node, same environment, the connection of an spnKey endpoint).
'use strict';
const fs = require('fs');
const https = require('https');
const tls = require('tls');

const env = process.env;
const key = Object.keys(env).find((k) => /^ENDPOINT_AUTH_PARAMETER_.+_SERVICEPRINCIPALID$/.test(k));
if (!key) throw new Error('no spnKey connection in the environment');
const id = key.slice('ENDPOINT_AUTH_PARAMETER_'.length, -'_SERVICEPRINCIPALID'.length);
const auth = (name) => env[`ENDPOINT_AUTH_PARAMETER_${id}_${name}`];
const data = (name) => env[`ENDPOINT_DATA_${id}_${name}`];

// the default store plus the agent CA, as tasks/shared/src/http.ts builds it
const secureContext = tls.createSecureContext();
if (env.AGENT_CAINFO) secureContext.context.addCACert(fs.readFileSync(env.AGENT_CAINFO, 'utf8'));

function send(url, options, body) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ...options, secureContext }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

(async () => {
  const arm = data('RESOURCEMANAGERURL');
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: auth('SERVICEPRINCIPALID'), client_secret: auth('SERVICEPRINCIPALKEY'), scope: `${arm}.default` });
  const token = JSON.parse(await send(`${data('ACTIVEDIRECTORYAUTHORITY')}${auth('TENANTID')}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, form.toString()));
  await send(`${arm}subscriptions/${data('SUBSCRIPTIONID')}/resourcegroups?api-version=2021-04-01`, { headers: { authorization: `Bearer ${token.access_token}` } });
})().catch((err) => {
  console.error(`floor client failed: ${err.message}`);
  process.exitCode = 1;
});
