/** Tables of the embedded store. JSON documents sit beside the columns that queries filter on. */
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS snapshots (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  ts TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  metrics TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS snapshots_received ON snapshots (received_at);

CREATE TABLE IF NOT EXISTS actions (
  id TEXT PRIMARY KEY,
  rule TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS actions_created ON actions (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS actions_status ON actions (status, expires_at);
CREATE INDEX IF NOT EXISTS actions_rule ON actions (rule, created_at DESC);
-- "one open approval per rule", enforced by the database itself.
CREATE UNIQUE INDEX IF NOT EXISTS actions_one_open_approval ON actions (rule) WHERE status = 'pending_approval';

CREATE TABLE IF NOT EXISTS cooldowns (
  rule TEXT PRIMARY KEY,
  until INTEGER NOT NULL,
  action_id TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS state (
  key TEXT PRIMARY KEY,
  revision INTEGER NOT NULL,
  doc TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS prompts (
  name TEXT PRIMARY KEY,
  revision INTEGER NOT NULL,
  doc TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS alerts (
  id TEXT PRIMARY KEY,
  rule TEXT NOT NULL,
  severity TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  acknowledged_at INTEGER,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_created ON alerts (created_at DESC, id DESC);
`;
