import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { ActionOutcome, ActionPatch, ActionQuery, ActionRecord, ActionStatus, Page } from '../../domain/action';
import type { ActionStatRow } from '../../domain/stats';
import type { SeriesQuery, SeriesResult, SnapshotQuery, SnapshotSourceSummary, StoredSnapshot } from '../../domain/snapshot';
import { SeriesBuckets, jsonNumber } from '../series-buckets';
import { decodeCursor, toPage, toPageBy } from '../../domain/cursor';
import type { DispatchOutcome, RuleState } from '../../domain/rule-state';
import { budgetSpentUntil } from '../../domain/budget-slot';
import type { BudgetClaim, BudgetUsage, RevertInsertOutcome, SnapshotRetention, SnapshotScan, Store } from '../store';
import { actionFromDoc, actionToDoc } from './codec';
import { SqliteConsoleStore } from './sqlite-console-store';
import { SqliteIdempotencyStore } from './sqlite-idempotency-store';
import { SqliteNotificationStore } from './sqlite-notification-store';
import type { SqliteCommittedEvents } from './sqlite-committed-events';
import { SqliteContext } from './sqlite-context';
import { SqliteVersionedState } from './sqlite-versioned-state';
import { SqliteLeaseStore } from './sqlite-lease-store';
import { SqliteAlertStore } from './sqlite-alert-store';
import { LEASE_STORE_METHODS, type LeaseStore } from '../lease-store';
import { ALERT_STORE_METHODS, type AlertStore } from '../alert-store';
import { expose } from '../compose';
import { TARGET_STATE_METHODS, type PromptStore, type TargetStateStore } from '../versioned-state-store';
import type { NotificationEvent } from '../../domain/events';
import type { FaultPoints } from '../../domain/fault-points';
import { ACTION_EXTRA_COLUMNS, ACTION_EXTRA_INDEXES, SQLITE_SCHEMA } from './schema';
import { sqliteActionStats } from './sqlite-stats';
import { SqliteRulesHistoryStore } from './sqlite-rules-history-store';
import { SqliteSilenceStore } from './sqlite-silence-store';
import { SqliteIncidentStore } from './sqlite-incident-store';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' for a throwaway store. */
  path: string;
  busyTimeoutMs?: number;
  /** Kill points for the fault-injection suite; none by default. */
  faults?: FaultPoints;
}

type Row = Record<string, unknown>;

/** The aggregates' methods, put on each instance by `expose` in the constructor. */
export interface SqliteStore extends TargetStateStore, PromptStore, LeaseStore, AlertStore {}

/**
 * The embedded store. better-sqlite3 is synchronous, so each method is one short critical section;
 * WAL and a busy timeout make it safe for several processes on one file, and every multi-step change
 * runs in an IMMEDIATE transaction (it takes the write lock before reading).
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly notifications: SqliteNotificationStore;
  readonly committedEvents: SqliteCommittedEvents;
  readonly rulesHistory: SqliteRulesHistoryStore;
  readonly console: SqliteConsoleStore;
  readonly idempotency: SqliteIdempotencyStore;
  readonly silences: SqliteSilenceStore;
  readonly incidents: SqliteIncidentStore;
  private readonly ctx: SqliteContext;
  private readonly pendingSnapshots: {
    snapshot: StoredSnapshot;
    resolve: () => void;
    reject: (err: Error) => void;
  }[] = [];

  constructor(private readonly options: SqliteStoreOptions) {
    this.ctx = new SqliteContext(options.faults);
    this.committedEvents = this.ctx.committedEvents;
    expose(this, new SqliteVersionedState(this.ctx), TARGET_STATE_METHODS);
    expose(this, new SqliteLeaseStore(this.ctx), LEASE_STORE_METHODS);
    expose(this, new SqliteAlertStore(this.ctx), ALERT_STORE_METHODS);
    this.notifications = new SqliteNotificationStore(() => this.conn);
    this.rulesHistory = new SqliteRulesHistoryStore(() => this.conn);
    this.console = new SqliteConsoleStore(() => this.conn);
    this.idempotency = new SqliteIdempotencyStore(() => this.conn);
    this.silences = new SqliteSilenceStore(() => this.conn, this.committedEvents);
    this.incidents = new SqliteIncidentStore(() => this.conn, this.committedEvents);
  }

  async init(): Promise<void> {
    if (this.options.path !== ':memory:') {
      fs.mkdirSync(path.dirname(path.resolve(this.options.path)), { recursive: true });
    }
    const db = new Database(this.options.path);
    db.pragma(`busy_timeout = ${this.options.busyTimeoutMs ?? 5000}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SQLITE_SCHEMA);
    const columns = new Set((db.pragma('table_info(actions)') as Array<{ name: string }>).map((c) => c.name));
    for (const [name, type] of ACTION_EXTRA_COLUMNS) {
      if (!columns.has(name)) db.exec(`ALTER TABLE actions ADD COLUMN ${name} ${type}`);
    }
    db.exec(ACTION_EXTRA_INDEXES);
    this.ctx.open(db);
    this.notifications.init();
    this.committedEvents.init();
    this.rulesHistory.init();
    this.console.init();
    this.idempotency.init();
    this.silences.init();
    this.incidents.init();
  }

  async close(): Promise<void> {
    this.flushSnapshots();
    this.ctx.close();
  }

  private get conn(): Database.Database {
    return this.ctx.conn;
  }

  private stmt(sql: string): Statement {
    return this.ctx.stmt(sql);
  }

  async ping(): Promise<boolean> {
    try {
      this.stmt('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  // --- snapshots -------------------------------------------------------------------------------

  /**
   * Group commit: snapshots arriving in the same turn of the event loop are written in one
   * transaction (a commit costs far more than a row), and every caller resolves only once its row
   * is committed — so a reply never claims a snapshot that is not stored.
   */
  insertSnapshot(s: StoredSnapshot): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pendingSnapshots.push({ snapshot: s, resolve, reject });
      if (this.pendingSnapshots.length === 1) setImmediate(() => this.flushSnapshots());
    });
  }

  private flushSnapshots(): void {
    const batch = this.pendingSnapshots.splice(0);
    if (batch.length === 0) return;
    try {
      const insert = this.stmt('INSERT INTO snapshots (id, source, ts, received_at, metrics) VALUES (?, ?, ?, ?, ?)');
      const failures = new Map<number, Error>();
      this.conn.transaction(() => {
        batch.forEach(({ snapshot: s }, i) => {
          try {
            insert.run(s.id, s.source, s.timestamp, s.receivedAt.getTime(), JSON.stringify(s.metrics));
          } catch (err) {
            // One bad row (e.g. a duplicate id) fails its own caller, not the whole batch.
            failures.set(i, err as Error);
          }
        });
      }).immediate();
      batch.forEach((entry, i) => (failures.has(i) ? entry.reject(failures.get(i)!) : entry.resolve()));
    } catch (err) {
      for (const entry of batch) entry.reject(err as Error);
    }
  }

  async insertSnapshots(snapshots: StoredSnapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    const insert = this.stmt('INSERT INTO snapshots (id, source, ts, received_at, metrics) VALUES (?, ?, ?, ?, ?)');
    this.conn
      .transaction(() => {
        for (const s of snapshots) insert.run(s.id, s.source, s.timestamp, s.receivedAt.getTime(), JSON.stringify(s.metrics));
      })
      .immediate();
  }

  async getSnapshot(id: string): Promise<StoredSnapshot | null> {
    const row = this.stmt('SELECT * FROM snapshots WHERE id = ?').get(id) as Row | undefined;
    if (!row) return null;
    return {
      id: row.id as string,
      source: row.source as string,
      timestamp: row.ts as string,
      receivedAt: new Date(row.received_at as number),
      metrics: JSON.parse(row.metrics as string),
    };
  }

  private snapshotFromRow(row: Row): StoredSnapshot {
    return {
      id: row.id as string,
      source: row.source as string,
      timestamp: row.ts as string,
      receivedAt: new Date(row.received_at as number),
      metrics: JSON.parse(row.metrics as string),
    };
  }

  async listSnapshotsFrom(source: string, from: Date, to: Date, limit: number): Promise<StoredSnapshot[]> {
    this.flushSnapshots();
    const rows = this.stmt(
      'SELECT * FROM snapshots WHERE source = ? AND received_at > ? AND received_at <= ? ORDER BY received_at, id LIMIT ?',
    ).all(source, from.getTime(), to.getTime(), limit) as Row[];
    return rows.map((r) => this.snapshotFromRow(r));
  }

  async latestSnapshotFrom(source: string, after: Date): Promise<StoredSnapshot | null> {
    this.flushSnapshots();
    const row = this.stmt(
      'SELECT * FROM snapshots WHERE source = ? AND received_at > ? ORDER BY received_at DESC, id DESC LIMIT 1',
    ).get(source, after.getTime()) as Row | undefined;
    return row ? this.snapshotFromRow(row) : null;
  }

  async countSnapshots(): Promise<number> {
    return (this.stmt('SELECT COUNT(*) AS n FROM snapshots').get() as { n: number }).n;
  }

  async scanSnapshots(scan: SnapshotScan): Promise<StoredSnapshot[]> {
    // Whatever is still queued for the group commit counts as stored (its callers will be told so).
    this.flushSnapshots();
    const where: string[] = [];
    const args: unknown[] = [];
    if (scan.from) {
      where.push('received_at >= ?');
      args.push(scan.from.getTime());
    }
    if (scan.to) {
      where.push('received_at <= ?');
      args.push(scan.to.getTime());
    }
    if (scan.sources && scan.sources.length > 0) {
      where.push(`source IN (${scan.sources.map(() => '?').join(',')})`);
      args.push(...scan.sources);
    }
    if (scan.after) {
      where.push('(received_at > ? OR (received_at = ? AND id > ?))');
      args.push(scan.after.at, scan.after.at, scan.after.id);
    }
    const rows = this.stmt(
      `SELECT id, source, ts, received_at, metrics FROM snapshots ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY received_at, id LIMIT ?`,
    ).all(...args, scan.limit) as Row[];
    return rows.map((row) => ({
      id: row.id as string,
      source: row.source as string,
      timestamp: row.ts as string,
      receivedAt: new Date(row.received_at as number),
      metrics: JSON.parse(row.metrics as string) as Record<string, unknown>,
    }));
  }

  async listSnapshots(query: SnapshotQuery): Promise<Page<StoredSnapshot>> {
    this.flushSnapshots();
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.source !== undefined) {
      where.push('source = ?');
      args.push(query.source);
    }
    if (query.from) {
      where.push('received_at >= ?');
      args.push(query.from.getTime());
    }
    if (query.to) {
      where.push('received_at <= ?');
      args.push(query.to.getTime());
    }
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    if (cursor) {
      where.push('(received_at < ? OR (received_at = ? AND id < ?))');
      args.push(cursor.at, cursor.at, cursor.id);
    }
    const rows = this.stmt(
      `SELECT * FROM snapshots ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY received_at DESC, id DESC LIMIT ?`,
    ).all(...args, query.limit + 1) as Row[];
    return toPageBy(rows.map((r) => this.snapshotFromRow(r)), query.limit, (s) => s.receivedAt);
  }

  async listSnapshotSources(limit: number): Promise<SnapshotSourceSummary[]> {
    this.flushSnapshots();
    // Grouped over the (source, received_at) index alone; then one indexed lookup per source.
    const groups = this.stmt('SELECT source, COUNT(*) AS n FROM snapshots GROUP BY source ORDER BY source LIMIT ?').all(limit) as Row[];
    const latest = this.stmt('SELECT * FROM snapshots WHERE source = ? ORDER BY received_at DESC, id DESC LIMIT 1');
    return groups.map((g) => ({
      source: g.source as string,
      count: g.n as number,
      latest: this.snapshotFromRow(latest.get(g.source) as Row),
    }));
  }

  async snapshotSeries(query: SeriesQuery): Promise<SeriesResult> {
    this.flushSnapshots();
    const buckets = new SeriesBuckets(query.from.getTime(), query.stepMs);
    // `->` gives the value as JSON text: a number stays a number, true stays "true" (not 1).
    const jsonPath = `$${query.path.map((k) => `."${k}"`).join('')}`;
    const rows = this.stmt(
      'SELECT received_at, metrics -> ? FROM snapshots WHERE source = ? AND received_at >= ? AND received_at <= ? ORDER BY received_at',
    )
      .raw(true)
      .iterate(jsonPath, query.source, query.from.getTime(), query.to.getTime()) as IterableIterator<[number, unknown]>;
    for (const [t, text] of rows) {
      const value = jsonNumber(text);
      if (value !== null) buckets.add(t, value);
    }
    return buckets.finish();
  }

  async pruneSnapshots(retention: SnapshotRetention): Promise<number> {
    let removed = 0;
    if (retention.olderThan) {
      removed += this.stmt('DELETE FROM snapshots WHERE received_at < ?')
        .run(retention.olderThan.getTime()).changes;
    }
    if (retention.keepNewest !== undefined) {
      removed += this.stmt(
          `DELETE FROM snapshots WHERE id IN (
             SELECT id FROM snapshots ORDER BY received_at DESC, id DESC LIMIT -1 OFFSET ?)`,
        )
        .run(retention.keepNewest).changes;
    }
    return removed;
  }

  // --- cooldowns, approvals, actions ----------------------------------------------------------

  async ruleStatesVersion(): Promise<string> {
    return String((this.stmt('SELECT seq FROM rule_states_version WHERE id = 1').get() as Row).seq);
  }

  /** Inside the transaction of a write that may change a rule's state. */
  private moveRuleStatesVersion(): void {
    this.stmt('UPDATE rule_states_version SET seq = seq + 1 WHERE id = 1').run();
  }

  async getRuleStates(rules: string[]): Promise<Map<string, RuleState>> {
    const states = new Map<string, RuleState>();
    if (rules.length === 0) return states;
    for (const rule of rules) states.set(rule, { cooldownUntil: null, openApprovalId: null });
    // One statement for both (this runs for every matched rule not known to be in cooldown), and
    // one cached statement whatever the number of rules: the names go in as one JSON array.
    const rows = this.stmt(
      `SELECT rule, until, NULL AS id FROM cooldowns WHERE rule IN (SELECT value FROM json_each(@rules))
       UNION ALL
       SELECT rule, NULL, id FROM actions WHERE status = 'pending_approval' AND rule IN (SELECT value FROM json_each(@rules))`,
    ).all({ rules: JSON.stringify(rules) }) as Row[];
    for (const row of rows) {
      const state = states.get(row.rule as string)!;
      if (row.until !== null) state.cooldownUntil = new Date(row.until as number);
      else state.openApprovalId = row.id as string;
    }
    return states;
  }

  async dispatchAction(
    action: ActionRecord,
    cooldownUntil: Date | null,
    now: Date,
    budget?: BudgetClaim,
    events: NotificationEvent[] = [],
  ): Promise<DispatchOutcome> {
    const db = this.conn;
    const run = db.transaction((): DispatchOutcome => {
      const cooldown =
        cooldownUntil === null
          ? undefined
          : (this.stmt('SELECT until FROM cooldowns WHERE rule = ?').get(action.rule) as Row | undefined);
      if (cooldown && (cooldown.until as number) > now.getTime()) {
        return { ok: false, reason: 'cooldown', until: new Date(cooldown.until as number) };
      }
      if (action.status === 'pending_approval') {
        const open = this.stmt(`SELECT id FROM actions WHERE rule = ? AND status = 'pending_approval'`)
          .get(action.rule) as Row | undefined;
        if (open) return { ok: false, reason: 'duplicate_pending', actionId: open.id as string };
      }
      if (budget) {
        const since = now.getTime() - budget.windowMs;
        const claims = (this.stmt('SELECT at FROM budget_claims WHERE target = ? AND at > ? ORDER BY at DESC LIMIT ?')
          .all(budget.target, since, budget.maxActions) as Row[]).map((r) => r.at as number);
        const spentUntil = budgetSpentUntil(claims, now.getTime(), budget.windowMs, budget.maxActions);
        if (spentUntil !== null) return { ok: false, reason: 'budget_exhausted', target: budget.target, until: new Date(spentUntil) };
        this.stmt('DELETE FROM budget_claims WHERE target = ? AND at <= ?').run(budget.target, since);
        this.stmt('INSERT INTO budget_claims (action_id, target, at) VALUES (?, ?, ?)').run(action.id, budget.target, now.getTime());
      }
      this.insertActionRow(action);
      if (cooldownUntil !== null) {
        this.stmt(
          `INSERT INTO cooldowns (rule, until, action_id) VALUES (?, ?, ?)
           ON CONFLICT (rule) DO UPDATE SET until = excluded.until, action_id = excluded.action_id`,
        ).run(action.rule, cooldownUntil.getTime(), action.id);
      }
      this.moveRuleStatesVersion();
      this.committedEvents.insertWithin(events);
      return { ok: true, action };
    });
    const outcome = run.immediate();
    if (outcome.ok) this.committedEvents.committed(events);
    return outcome;
  }

  private insertActionRow(action: ActionRecord): void {
    this.stmt(
        `INSERT INTO actions (id, rule, type, status, created_at, expires_at, outcome, verify_until, revert_of,
           started_at, finished_at, decided_at, recovered_at, doc)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        action.id,
        action.rule,
        action.type,
        action.status,
        action.createdAt.getTime(),
        action.expiresAt ? action.expiresAt.getTime() : null,
        ...this.extraColumns(action),
        actionToDoc(action),
      );
  }

  /** outcome, verify_until, revert_of, started_at, finished_at, decided_at, recovered_at. */
  private extraColumns(a: ActionRecord): Array<string | number | null> {
    const ms = (d: Date | null | undefined) => (d ? d.getTime() : null);
    return [a.outcome ?? null, ms(a.verifyUntil), a.revertOf ?? null, ms(a.startedAt), ms(a.finishedAt), ms(a.decidedAt), ms(a.recoveredAt)];
  }

  async getBudgetUsage(targets: string[], since: Date): Promise<BudgetUsage> {
    const usage: BudgetUsage = new Map();
    const distinct = [...new Set(targets)];
    for (const target of distinct) usage.set(target, []);
    // One statement for all targets, whatever their number (they go in as one JSON array).
    const rows = this.stmt(
      'SELECT target, at FROM budget_claims WHERE target IN (SELECT value FROM json_each(@targets)) AND at >= @since ORDER BY target, at DESC',
    ).all({ targets: JSON.stringify(distinct), since: since.getTime() }) as Row[];
    for (const r of rows) (usage.get(r.target as string) as Date[]).push(new Date(r.at as number));
    return usage;
  }

  async insertRevert(action: ActionRecord): Promise<RevertInsertOutcome> {
    const run = this.conn.transaction((): RevertInsertOutcome => {
      const existing = this.stmt('SELECT id FROM actions WHERE revert_of = ?').get(action.revertOf) as Row | undefined;
      if (existing) return { ok: false, existingId: existing.id as string };
      this.insertActionRow(action);
      return { ok: true };
    });
    return run.immediate();
  }

  async listDueVerifications(now: Date, limit: number): Promise<ActionRecord[]> {
    const rows = this.stmt(
      `SELECT doc FROM actions WHERE outcome = 'pending' AND verify_until <= ? ORDER BY verify_until LIMIT ?`,
    ).all(now.getTime(), limit) as Row[];
    return rows.map((r) => actionFromDoc(r.doc as string));
  }

  async actionStats(from: Date, to: Date): Promise<ActionStatRow[]> {
    return sqliteActionStats(this.conn, from, to);
  }

  async getAction(id: string): Promise<ActionRecord | null> {
    const row = this.stmt('SELECT doc FROM actions WHERE id = ?').get(id) as Row | undefined;
    return row ? actionFromDoc(row.doc as string) : null;
  }

  async listActions(query: ActionQuery): Promise<Page<ActionRecord>> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.status && query.status.length > 0) {
      where.push(`status IN (${query.status.map(() => '?').join(',')})`);
      args.push(...query.status);
    }
    if (query.rule !== undefined) {
      where.push('rule = ?');
      args.push(query.rule);
    }
    if (query.type !== undefined) {
      where.push('type = ?');
      args.push(query.type);
    }
    if (query.outcome !== undefined) {
      where.push('outcome = ?');
      args.push(query.outcome);
    }
    if (query.failbackOf !== undefined) {
      where.push("json_extract(doc, '$.failbackOf') = ?");
      args.push(query.failbackOf);
    }
    if (query.incidentId !== undefined) {
      where.push("json_extract(doc, '$.incidentId') = ?");
      args.push(query.incidentId);
    }
    if (query.since) {
      where.push('created_at >= ?');
      args.push(query.since.getTime());
    }
    if (query.until) {
      where.push('created_at <= ?');
      args.push(query.until.getTime());
    }
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    if (cursor) {
      where.push('(created_at < ? OR (created_at = ? AND id < ?))');
      args.push(cursor.at, cursor.at, cursor.id);
    }
    const sql = `SELECT doc FROM actions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at DESC, id DESC LIMIT ?`;
    const rows = this.stmt(sql).all(...args, query.limit + 1) as Row[];
    return toPage(rows.map((r) => actionFromDoc(r.doc as string)), query.limit);
  }

  async transitionAction(
    id: string,
    from: ActionStatus[],
    patch: ActionPatch,
    guard?: { outcome: ActionOutcome },
    eventsFor?: (next: ActionRecord) => NotificationEvent[],
  ): Promise<ActionRecord | null> {
    const db = this.conn;
    let events: NotificationEvent[] = [];
    const run = db.transaction((): ActionRecord | null => {
      const row = this.stmt('SELECT doc FROM actions WHERE id = ?').get(id) as Row | undefined;
      if (!row) return null;
      const current = actionFromDoc(row.doc as string);
      if (!from.includes(current.status)) return null;
      if (guard && current.outcome !== guard.outcome) return null;
      const next: ActionRecord = { ...current, ...patch };
      this.stmt(
        `UPDATE actions SET status = ?, outcome = ?, verify_until = ?, revert_of = ?, started_at = ?, finished_at = ?,
           decided_at = ?, recovered_at = ?, doc = ? WHERE id = ?`,
      ).run(next.status, ...this.extraColumns(next), actionToDoc(next), id);
      if (current.status === 'pending_approval' && next.status !== 'pending_approval') this.moveRuleStatesVersion();
      events = eventsFor ? eventsFor(next) : [];
      this.committedEvents.insertWithin(events);
      // A kill here rolls the whole transaction back: neither the change nor its events happened.
      this.ctx.faults.reach('store.transition.in-transaction');
      return next;
    });
    const next = run.immediate();
    if (next) this.committedEvents.committed(events);
    return next;
  }

  async listOverdueApprovals(now: Date): Promise<ActionRecord[]> {
    const rows = this.stmt(`SELECT doc FROM actions WHERE status = 'pending_approval' AND expires_at <= ?`)
      .all(now.getTime()) as Row[];
    return rows.map((r) => actionFromDoc(r.doc as string));
  }

  async listActionsByStatus(statuses: ActionStatus[]): Promise<ActionRecord[]> {
    if (statuses.length === 0) return [];
    const rows = this.stmt(`SELECT doc FROM actions WHERE status IN (${statuses.map(() => '?').join(',')})`)
      .all(...statuses) as Row[];
    return rows.map((r) => actionFromDoc(r.doc as string));
  }
}
