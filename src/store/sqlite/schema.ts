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
CREATE INDEX IF NOT EXISTS snapshots_source ON snapshots (source, received_at);

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

-- One row: moved by every write that may change a rule's state (a dispatch, an approval closing),
-- so an instance that read rule states at one value keeps them until it moves (RuleStateReader).
CREATE TABLE IF NOT EXISTS rule_states_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL
);
INSERT OR IGNORE INTO rule_states_version (id, seq) VALUES (1, 0);

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

-- Per-target budget: one row per dispatch that counts (reverts never do).
CREATE TABLE IF NOT EXISTS budget_claims (
  action_id TEXT PRIMARY KEY,
  target TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS budget_claims_target ON budget_claims (target, at);

-- One-time events (e.g. one "budget exhausted" alert per target and window).
CREATE TABLE IF NOT EXISTS once_claims (
  key TEXT PRIMARY KEY,
  at INTEGER NOT NULL
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

/**
 * Columns added to `actions` after its first release, for the verification sweep, reverts and
 * statistics; added to an older file on open (the JSON doc stays the source of truth).
 */
export const ACTION_EXTRA_COLUMNS: ReadonlyArray<[name: string, type: string]> = [
  ['outcome', 'TEXT'],
  ['verify_until', 'INTEGER'],
  ['revert_of', 'TEXT'],
  ['started_at', 'INTEGER'],
  ['finished_at', 'INTEGER'],
  ['decided_at', 'INTEGER'],
  ['recovered_at', 'INTEGER'],
];

export const ACTION_EXTRA_INDEXES = `
CREATE INDEX IF NOT EXISTS actions_verify_due ON actions (outcome, verify_until);
-- Statistics read a window of actions from this index alone (it covers every column they use).
CREATE INDEX IF NOT EXISTS actions_stats ON actions (created_at, rule, type, status, outcome, revert_of, started_at, finished_at, decided_at, recovered_at);
-- One revert per action, enforced by the database itself.
CREATE UNIQUE INDEX IF NOT EXISTS actions_one_revert ON actions (revert_of) WHERE revert_of IS NOT NULL;
`;
