import type { ActionQuery, ActionRecord, Page } from '../domain/action';
import type { RuleState } from '../domain/rule-state';
import { NotFoundError } from '../errors';
import type { Store } from '../store/store';

/** What was done and what stands: the action record and each rule's cooldown and open approval. */
export class ActionHistory {
  constructor(private readonly store: Pick<Store, 'listActions' | 'getAction' | 'getRuleStates'>) {}

  list(query: ActionQuery): Promise<Page<ActionRecord>> {
    return this.store.listActions(query);
  }

  async get(id: string): Promise<ActionRecord> {
    const action = await this.store.getAction(id);
    if (!action) throw new NotFoundError(`no action with id "${id}"`);
    return action;
  }

  /** Read from the store itself (not the ingest path's memory), so it is what every instance sees. */
  async ruleState(rule: string): Promise<RuleState> {
    return (await this.store.getRuleStates([rule])).get(rule) ?? { cooldownUntil: null, openApprovalId: null };
  }
}
