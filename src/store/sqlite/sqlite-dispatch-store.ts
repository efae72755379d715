import type { ActionRecord } from '../../domain/action';
import { budgetSpentUntil } from '../../domain/budget-slot';
import type { NotificationEvent } from '../../domain/events';
import type { DispatchOutcome, RuleState } from '../../domain/rule-state';
import type { BudgetClaim, BudgetUsage, DispatchStore, RevertInsertOutcome } from '../dispatch-store';
import { insertActionRow, moveRuleStatesVersion } from './sqlite-action-rows';
import type { Row, SqliteContext } from './sqlite-context';

/**
 * The dispatch step on SQLite: one IMMEDIATE transaction checks the cooldown, the open approval and
 * the budget, then inserts the action, moves the cooldown, claims the budget slot and commits the
 * events — or refuses and writes nothing.
 */
export class SqliteDispatchStore implements DispatchStore {
  constructor(private readonly ctx: SqliteContext) {}

  async ruleStatesVersion(): Promise<string> {
    return String((this.ctx.stmt('SELECT seq FROM rule_states_version WHERE id = 1').get() as Row).seq);
  }

  async getRuleStates(rules: string[]): Promise<Map<string, RuleState>> {
    const states = new Map<string, RuleState>();
    if (rules.length === 0) return states;
    for (const rule of rules) states.set(rule, { cooldownUntil: null, openApprovalId: null });
    // One statement for both (this runs for every matched rule not known to be in cooldown), and
    // one cached statement whatever the number of rules: the names go in as one JSON array.
    const rows = this.ctx.stmt(
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
    const db = this.ctx.conn;
    const run = db.transaction((): DispatchOutcome => {
      const cooldown =
        cooldownUntil === null
          ? undefined
          : (this.ctx.stmt('SELECT until FROM cooldowns WHERE rule = ?').get(action.rule) as Row | undefined);
      if (cooldown && (cooldown.until as number) > now.getTime()) {
        return { ok: false, reason: 'cooldown', until: new Date(cooldown.until as number) };
      }
      if (action.status === 'pending_approval') {
        const open = this.ctx.stmt(`SELECT id FROM actions WHERE rule = ? AND status = 'pending_approval'`)
          .get(action.rule) as Row | undefined;
        if (open) return { ok: false, reason: 'duplicate_pending', actionId: open.id as string };
      }
      if (budget) {
        const since = now.getTime() - budget.windowMs;
        const claims = (this.ctx.stmt('SELECT at FROM budget_claims WHERE target = ? AND at > ? ORDER BY at DESC LIMIT ?')
          .all(budget.target, since, budget.maxActions) as Row[]).map((r) => r.at as number);
        const spentUntil = budgetSpentUntil(claims, now.getTime(), budget.windowMs, budget.maxActions);
        if (spentUntil !== null) return { ok: false, reason: 'budget_exhausted', target: budget.target, until: new Date(spentUntil) };
        this.ctx.stmt('DELETE FROM budget_claims WHERE target = ? AND at <= ?').run(budget.target, since);
        this.ctx.stmt('INSERT INTO budget_claims (action_id, target, at) VALUES (?, ?, ?)').run(action.id, budget.target, now.getTime());
      }
      insertActionRow(this.ctx, action);
      if (cooldownUntil !== null) {
        this.ctx.stmt(
          `INSERT INTO cooldowns (rule, until, action_id) VALUES (?, ?, ?)
           ON CONFLICT (rule) DO UPDATE SET until = excluded.until, action_id = excluded.action_id`,
        ).run(action.rule, cooldownUntil.getTime(), action.id);
      }
      moveRuleStatesVersion(this.ctx);
      this.ctx.committedEvents.insertWithin(events);
      return { ok: true, action };
    });
    const outcome = run.immediate();
    if (outcome.ok) this.ctx.committedEvents.committed(events);
    return outcome;
  }

  async getBudgetUsage(targets: string[], since: Date): Promise<BudgetUsage> {
    const usage: BudgetUsage = new Map();
    const distinct = [...new Set(targets)];
    for (const target of distinct) usage.set(target, []);
    // One statement for all targets, whatever their number (they go in as one JSON array).
    const rows = this.ctx.stmt(
      'SELECT target, at FROM budget_claims WHERE target IN (SELECT value FROM json_each(@targets)) AND at >= @since ORDER BY target, at DESC',
    ).all({ targets: JSON.stringify(distinct), since: since.getTime() }) as Row[];
    for (const r of rows) (usage.get(r.target as string) as Date[]).push(new Date(r.at as number));
    return usage;
  }

  async insertRevert(action: ActionRecord): Promise<RevertInsertOutcome> {
    const run = this.ctx.conn.transaction((): RevertInsertOutcome => {
      const existing = this.ctx.stmt('SELECT id FROM actions WHERE revert_of = ?').get(action.revertOf) as Row | undefined;
      if (existing) return { ok: false, existingId: existing.id as string };
      insertActionRow(this.ctx, action);
      return { ok: true };
    });
    return run.immediate();
  }
}
