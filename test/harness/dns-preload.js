// Test-only DNS preload (`node -r test/harness/dns-preload.js`), plain JS so it needs no build.
// - `localhost` and `*.localhost` answer 127.0.0.1;
// - names in the JSON map named by AZ_EMU_HOSTS_FILE ({"name": "127.0.0.5"}) answer that address
//   (the file is re-read on every lookup, so tests can add names while a task runs);
// - every other non-IP name fails with ENOTFOUND and is appended to the file named by AZ_EMU_DNS_LOG,
//   so a test can prove that no public host was contacted.
'use strict';
const dns = require('dns');
const fs = require('fs');
const net = require('net');

const MARK = Symbol.for('az-emu.dns-preload');

function readHosts() {
  const file = process.env.AZ_EMU_HOSTS_FILE;
  if (!file) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) || {};
  } catch {
    return {};
  }
}

/** Address for a host name, or undefined when it must be refused. */
function resolveName(hostname) {
  const name = String(hostname).toLowerCase().replace(/\.$/, '');
  const hosts = readHosts();
  for (const [k, v] of Object.entries(hosts)) if (k.toLowerCase() === name) return String(v);
  if (name === 'localhost' || name.endsWith('.localhost')) return '127.0.0.1';
  return undefined;
}

function refused(hostname) {
  const log = process.env.AZ_EMU_DNS_LOG;
  if (log) {
    try {
      fs.appendFileSync(log, `${hostname}\n`);
    } catch {
      // the log is best effort
    }
  }
  const err = new Error(`getaddrinfo ENOTFOUND ${hostname} (blocked by the test DNS preload: only *.localhost resolves)`);
  err.code = 'ENOTFOUND';
  err.errno = -3008;
  err.syscall = 'getaddrinfo';
  err.hostname = hostname;
  return err;
}

function install() {
  if (dns[MARK]) return;
  const original = dns.lookup;
  function lookup(hostname, options, callback) {
    if (typeof options === 'function') {
      callback = options;
      options = {};
    }
    if (typeof options === 'number') options = { family: options };
    options = options || {};
    if (!hostname || net.isIP(hostname)) return original.call(dns, hostname, options, callback);
    const address = resolveName(hostname);
    process.nextTick(() => {
      if (!address) return callback(refused(hostname));
      const family = net.isIP(address) || 4;
      if (options.all) callback(null, [{ address, family }]);
      else callback(null, address, family);
    });
    return {};
  }
  dns.lookup = lookup;
  const promisesLookup = (hostname, options) => new Promise((resolve, reject) => {
    lookup(hostname, options || {}, (err, address, family) => {
      if (err) reject(err);
      else resolve(Array.isArray(address) ? address : { address, family });
    });
  });
  dns.promises.lookup = promisesLookup;
  dns[MARK] = true;
}

install();
module.exports = { install, resolveName };
