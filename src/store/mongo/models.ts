import { type Connection, type Model, Schema } from 'mongoose';

/**
 * One model per collection on the store's own connection. Only the fields that queries filter or
 * sort on are declared; `strict: false` keeps every other field of the domain document as it is, so
 * a field added to a domain type later is stored without touching these schemas. `minimize: false`
 * keeps empty objects (`params: {}`) instead of dropping them.
 *
 * Index options are limited to what both MongoDB and FerretDB 1.24 support (docs/mongodb.md): no TTL,
 * no partial, no sparse indexes. Every uniqueness the store relies on is the `_id` itself.
 */
const OPTIONS = { strict: false, minimize: false, versionKey: false, strictQuery: false } as const;

function schema(fields: Record<string, unknown>): Schema {
  return new Schema({ _id: { type: String, required: true }, ...fields }, OPTIONS);
}

/** Metric snapshots; retention is a periodic sweep (pruneSnapshots), not a TTL index. */
const snapshotSchema = schema({ source: String, receivedAt: Date });
snapshotSchema.index({ receivedAt: -1, _id: -1 });
snapshotSchema.index({ source: 1, receivedAt: -1 });

/** Actions: `_id` is the action id, the rest is the ActionRecord plus `_rev` (see transitionAction). */
const actionSchema = schema({ rule: String, type: String, status: String, createdAt: Date, expiresAt: Date });
actionSchema.index({ createdAt: -1, _id: -1 });
actionSchema.index({ status: 1, expiresAt: 1 });
actionSchema.index({ rule: 1, status: 1 });
/** Actions carrying committed events the relay has not yet put in the outbox. */
actionSchema.index({ hasEvents: 1 });
actionSchema.index({ outcome: 1, verifyUntil: 1 });

/** Cooldown windows: `_id` is `<rule>#<seq>`; the newest is in force, older ones are pruned. */
const cooldownSchema = schema({ rule: String, seq: Number, until: Date });
cooldownSchema.index({ rule: 1, seq: -1 });

/** Per-target budget claims: `_id` is `<target>#<seq>`; dispatching inserts seq+1 (one writer wins). */
const budgetClaimSchema = schema({ target: String, seq: Number, at: Date });
budgetClaimSchema.index({ target: 1, seq: -1 });
budgetClaimSchema.index({ target: 1, at: -1 });

/** "The open approval of a rule": `_id` is the rule, so a second one is a duplicate key. */
const approvalClaimSchema = schema({ actionId: String, claimedAt: Date });

/** Failover and throttle state, one document per revision: `_id` is `<key>#<revision>`. */
const stateSchema = schema({ key: String, revision: Number });
stateSchema.index({ key: 1, revision: -1 });
stateSchema.index({ hasEvents: 1 });

/** Prompts, one document per revision: `_id` is `<name>#<revision>`. */
const promptSchema = schema({ name: String, revision: Number });
promptSchema.index({ name: 1, revision: -1 });

/** Lease terms: `_id` is `<name>#<term>`; the newest term says who holds the lease until when. */
const leaseSchema = schema({ name: String, term: Number, expiresAt: Date });
leaseSchema.index({ name: 1, term: -1 });

const alertSchema = schema({ rule: String, severity: String, createdAt: Date, acknowledgedAt: Date });
alertSchema.index({ createdAt: -1, _id: -1 });
alertSchema.index({ hasEvents: 1 });

/** Change claims (`action:<id>#<rev>`, `ack:<alertId>`): whoever inserts one owns that change. */
const claimSchema = schema({ at: Date });

export interface MongoModels {
  snapshots: Model<Record<string, unknown>>;
  actions: Model<Record<string, unknown>>;
  cooldowns: Model<Record<string, unknown>>;
  approvalClaims: Model<Record<string, unknown>>;
  state: Model<Record<string, unknown>>;
  prompts: Model<Record<string, unknown>>;
  leases: Model<Record<string, unknown>>;
  alerts: Model<Record<string, unknown>>;
  claims: Model<Record<string, unknown>>;
  budgetClaims: Model<Record<string, unknown>>;
}

export function createModels(conn: Connection): MongoModels {
  const model = (name: string, s: Schema, collection: string) =>
    conn.model<Record<string, unknown>>(name, s, collection);
  return {
    snapshots: model('Snapshot', snapshotSchema, 'snapshots'),
    actions: model('Action', actionSchema, 'actions'),
    cooldowns: model('Cooldown', cooldownSchema, 'cooldowns'),
    approvalClaims: model('ApprovalClaim', approvalClaimSchema, 'approval_claims'),
    state: model('State', stateSchema, 'state'),
    prompts: model('Prompt', promptSchema, 'prompts'),
    leases: model('Lease', leaseSchema, 'leases'),
    alerts: model('Alert', alertSchema, 'alerts'),
    claims: model('Claim', claimSchema, 'claims'),
    budgetClaims: model('BudgetClaim', budgetClaimSchema, 'budget_claims'),
  };
}
