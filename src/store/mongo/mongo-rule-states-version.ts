import { randomUUID } from 'node:crypto';
import type { Doc } from './codec';
import { isDuplicateKeyError } from './connection';
import type { MongoContext } from './mongo-context';

/** The version of the rules' states (Store.ruleStatesVersion), one document in the `state` collection. */
const RULE_STATES_VERSION_ID = 'rule-states-version';

export async function readRuleStatesVersion(ctx: MongoContext): Promise<string> {
  const doc = await ctx.m.state.findById(RULE_STATES_VERSION_ID, { version: 1 }).lean<Doc>();
  return (doc?.version as string | undefined) ?? '';
}

/**
 * After a write that may have changed a rule's state. A value never written before rather than a
 * counter: FerretDB's updates read and write back, so two racing increments could put back a
 * value a reader already holds; a fresh value differs from every one read before it, whoever wins.
 */
export async function moveRuleStatesVersion(ctx: MongoContext): Promise<void> {
  const move = () =>
    ctx.m.state.updateOne(
      { _id: RULE_STATES_VERSION_ID },
      { $set: { key: RULE_STATES_VERSION_ID, revision: 0, version: randomUUID() } },
      { upsert: true },
    );
  // Two first moves racing to create the document: the loser's value must still land after its change.
  await move().catch((err: unknown) => {
    if (!isDuplicateKeyError(err)) throw err;
    return move();
  });
}
