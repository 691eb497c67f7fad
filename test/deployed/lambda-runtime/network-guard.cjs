// Preloaded (--require) into every Lambda host: the suite runs without internet, and a bundle that
// tries to reach anything but the stand-ins on 127.0.0.1 (slack.com, an AWS endpoint the SDK was not
// pointed away from, a metadata service) must be seen, not time out. Every other destination is
// refused at once and reported to the parent over IPC; the suite asserts none was.
'use strict';
const net = require('node:net');
const dns = require('node:dns');
const { URL } = require('node:url');

const LOCAL = new Set(['127.0.0.1', 'localhost', '::1', '::ffff:127.0.0.1']);

function report(kind, host, port) {
  const line = `network guard: refused ${kind} to ${host}${port === undefined ? '' : `:${port}`}`;
  process.stderr.write(`${line}\n`);
  if (process.send) process.send({ type: 'egress', kind, host: String(host), port });
}

function destination(args) {
  // Socket#connect(options[, cb]) | (port[, host][, cb]) | (path[, cb])
  const [first, second] = args;
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    if (first.path !== undefined) return undefined;
    return { host: first.host ?? 'localhost', port: first.port };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined; // a Unix socket path
  return { host: typeof second === 'string' ? second : 'localhost', port: first };
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const target = destination(args);
  if (target && !LOCAL.has(target.host)) {
    report('connection', target.host, target.port);
    const error = Object.assign(
      new Error(`connect ECONNREFUSED ${target.host}:${target.port} (network guard)`),
      {
        code: 'ECONNREFUSED',
        syscall: 'connect',
      },
    );
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return connect.apply(this, args);
};

function guardLookup(original) {
  return function guardedLookup(hostname, ...rest) {
    if (!LOCAL.has(hostname)) {
      report('DNS lookup', hostname);
      const callback = rest.find((arg) => typeof arg === 'function');
      const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (network guard)`), {
        code: 'ENOTFOUND',
        hostname,
      });
      if (callback) process.nextTick(() => callback(error));
      return {};
    }
    return original.call(this, hostname, ...rest);
  };
}
dns.lookup = guardLookup(dns.lookup);
const promiseLookup = dns.promises.lookup;
dns.promises.lookup = async function guardedPromiseLookup(hostname, ...rest) {
  if (!LOCAL.has(hostname)) {
    report('DNS lookup', hostname);
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (network guard)`), {
      code: 'ENOTFOUND',
    });
  }
  return promiseLookup.call(this, hostname, ...rest);
};

// The internet services a bundle may fetch from (the workload issuers' OIDC discovery and JWKS) are
// played by stand-ins on 127.0.0.1: STEPUP_SUITE_REDIRECTS maps a URL prefix (e.g. an issuer) to the
// stand-in's, as DNS would point the name at it. Only `fetch` is redirected; nothing else needs it.
const redirects = Object.entries(JSON.parse(process.env.STEPUP_SUITE_REDIRECTS || '{}'));
if (redirects.length > 0 && typeof globalThis.fetch === 'function') {
  const realFetch = globalThis.fetch;
  globalThis.fetch = function redirectedFetch(input, init) {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
    const hit = url && redirects.find(([prefix]) => url === prefix || url.startsWith(`${prefix}/`));
    return realFetch(hit ? hit[1] + url.slice(hit[0].length) : input, init);
  };
}
