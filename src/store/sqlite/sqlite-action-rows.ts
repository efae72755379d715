import type { ActionRecord } from '../../domain/action';
import { actionToDoc } from './codec';
import type { SqliteContext } from './sqlite-context';

/** outcome, verify_until, revert_of, started_at, finished_at, decided_at, recovered_at. */
export function actionExtraColumns(a: ActionRecord): Array<string | number | null> {
  const ms = (d: Date | null | undefined) => (d ? d.getTime() : null);
  return [a.outcome ?? null, ms(a.verifyUntil), a.revertOf ?? null, ms(a.startedAt), ms(a.finishedAt), ms(a.decidedAt), ms(a.recoveredAt)];
}

/** The row of a new action (a dispatch or a revert), inside the caller's transaction. */
export function insertActionRow(ctx: SqliteContext, action: ActionRecord): void {
  ctx
    .stmt(
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
      ...actionExtraColumns(action),
      actionToDoc(action),
    );
}

/** Inside the transaction of a write that may change a rule's state (a dispatch, an approval leaving pending). */
export function moveRuleStatesVersion(ctx: SqliteContext): void {
  ctx.stmt('UPDATE rule_states_version SET seq = seq + 1 WHERE id = 1').run();
}
