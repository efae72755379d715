// PM2 ecosystem for the self-healing rule engine.
//
//   npm run build
//   pm2 start ecosystem.config.js --only self-healing-engine
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
  // One instance: sweeps, the rules-file watcher and SQLite want a single process; cluster mode
  // would run every sweep twice.
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
  shutdown_with_message: false,
  env: {
    NODE_ENV: 'production',
    PORT: 3080,
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
  apps: [engine],
  managedExamples,
};
