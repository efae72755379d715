// PM2 ecosystem for the self-healing rule engine.
//
//   npm run build
//   pm2 start ecosystem.config.js            # one process on the embedded SQLite store
//
// Several instances over one MongoDB (PM2 cluster mode; docs/operations.md): with MONGODB_URI set
// in the environment, the same command starts the cluster entry instead (both listen on 3080, so
// the file offers only one of them at a time):
//
//   MONGODB_URI=mongodb://db.internal:27017/self-healing pm2 start ecosystem.config.js
//
// The engine restarts other services through the PM2 daemon it runs under: every process that
// rules may restart must be managed by the same daemon (same user, same PM2_HOME). PM2 passes its
// PM2_HOME to the processes it starts, so the engine finds that daemon without configuration.
// config/default.json `services` maps the logical names used in rules to the PM2 names below
// (agentx → agentx-api, rag → rag-worker). See docs/strategies/service-restart.md.

'use strict';

const path = require('node:path');

const engine = {
  name: 'self-healing-engine',
  cwd: __dirname,
  script: 'dist/src/server.js',
  // One process on the embedded SQLite store. Several processes on one SQLite file are safe (WAL,
  // busy timeout, IMMEDIATE transactions; periodic work is leased), but only on one machine's local
  // disk: for several machines, or simply for more instances, use the cluster entry below.
  exec_mode: 'fork',
  instances: 1,
  autorestart: true,
  min_uptime: '10s',
  max_restarts: 10,
  exp_backoff_restart_delay: 200,
  watch: false,
  // PM2 sends SIGINT; the server then stops taking requests and lets running actions finish for
  // up to server.shutdownTimeoutMs (15 s). Give it that plus a margin before PM2 sends SIGKILL.
  kill_timeout: 20000,
  // A start (and each worker's replacement in `pm2 reload`) counts as done only when the engine
  // says 'ready': store open, rules loaded, port taken. Until then `pm2 reload` keeps the worker it
  // replaces running. listen_timeout is how long PM2 waits for that before it stops the old worker
  // anyway: its default (3 s) is shorter than a start on a busy machine, and a worker stopped before
  // its replacement listens leaves the port with no listener (refused connections, and PM2's primary
  // closes the connections it had queued). docs/operations.md, "Graceful shutdown with PM2".
  wait_ready: true,
  listen_timeout: 60000,
  shutdown_with_message: false,
  env: {
    NODE_ENV: 'production',
    PORT: 3080,
  },
};

// The same engine in PM2 cluster mode: two workers share the port and one MongoDB. Cooldowns,
// approvals, history, failover/throttle state, prompts and leases live in the store, so the workers
// agree on everything; periodic work (approval expiry, throttle restore, snapshot retention,
// recovery of a dead instance's actions) runs on whichever worker holds the `periodic-work` lease.
// Each worker's INSTANCE_ID defaults to <hostname>:<pid>; set it only if it is unique per worker.
// Each worker watches the rules file itself; keep one copy per machine (docs/operations.md).
const engineCluster = {
  ...engine,
  name: 'self-healing-engine-cluster',
  exec_mode: 'cluster',
  instances: 2,
  env: {
    NODE_ENV: 'production',
    PORT: 3080,
    STORE: 'mongo',
    // Each worker enforces its share of the rate limits, so both together hold the configured
    // limit (docs/security.md): keep this equal to `instances`.
    RATE_LIMIT_INSTANCES: 2,
    // Taken from the environment `pm2 start` runs in; the engine refuses to start without it.
    MONGODB_URI: process.env.MONGODB_URI || '',
  },
};

// The processes the engine restarts usually come from their own projects' ecosystem files and are
// started into the same daemon. They are shown here so the whole picture is in one place; to run
// them from this file, add them to `apps` and point `cwd`/`script` at the real projects.
// Relevant to the engine: a graceful SIGINT handler and kill_timeout (a reload waits for the old
// process to stop), and min_uptime/max_restarts so a process that cannot start ends up `errored`
// quickly, which the service_restart verification reports as a failure.
const managedExamples = [
  {
    name: 'agentx-api',
    cwd: path.resolve(__dirname, '../agentx'),
    script: 'dist/server.js',
    exec_mode: 'fork',
    autorestart: true,
    min_uptime: '5s',
    max_restarts: 5,
    kill_timeout: 8000,
    env: { NODE_ENV: 'production', PORT: 3000 },
  },
  {
    name: 'rag-worker',
    cwd: path.resolve(__dirname, '../rag'),
    script: 'dist/worker.js',
    exec_mode: 'fork',
    autorestart: true,
    min_uptime: '5s',
    max_restarts: 5,
    kill_timeout: 8000,
    env: { NODE_ENV: 'production' },
  },
];

module.exports = {
  apps: process.env.MONGODB_URI ? [engineCluster] : [engine],
  // Both entries whatever the environment, for tests that start them with their own settings.
  entries: { fork: engine, cluster: engineCluster },
  managedExamples,
};
