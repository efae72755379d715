import type { LeaseStore } from '../lease-store';
import type { Doc } from './codec';
import type { MongoContext } from './mongo-context';

/** Lease terms kept behind the newest one. */
const KEEP_LEASE_TERMS = 5;

/**
 * Leases on MongoDB: each take or renewal is term t+1 of the lease, a document `<name>#<t+1>` that
 * only one caller can insert. One-time claims are a `claims` document `once:<key>`.
 */
export class MongoLeaseStore implements LeaseStore {
  constructor(private readonly ctx: MongoContext) {}

  private async latestTerm(name: string): Promise<Doc | null> {
    const [doc] = await this.ctx.m.leases.find({ name }).sort({ term: -1 }).limit(1).lean<Doc[]>();
    return doc ?? null;
  }

  async acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
    const latest = await this.latestTerm(name);
    if (latest && latest.holder !== holder && (latest.expiresAt as Date).getTime() > now.getTime()) return false;
    const term = ((latest?.term as number | undefined) ?? 0) + 1;
    const won = await this.ctx.claim('leases', {
      _id: `${name}#${term}`,
      name,
      term,
      holder,
      expiresAt: new Date(now.getTime() + ttlMs),
    });
    if (!won) return false;
    // Old terms are deleted, so a caller that read a long-gone term could insert into the gap;
    // checking that the new term is the newest makes that harmless.
    const newest = await this.latestTerm(name);
    if (newest && newest.term !== term) {
      await this.ctx.m.leases.deleteOne({ _id: `${name}#${term}`, holder });
      return newest.holder === holder && (newest.expiresAt as Date).getTime() > now.getTime();
    }
    await this.ctx.m.leases.deleteMany({ name, term: { $lte: term - KEEP_LEASE_TERMS } });
    return true;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    const latest = await this.latestTerm(name);
    if (!latest || latest.holder !== holder) return;
    const term = (latest.term as number) + 1;
    // A free term; if somebody took the next term first, the lease is no longer ours to give up.
    await this.ctx.claim('leases', { _id: `${name}#${term}`, name, term, holder: null, expiresAt: new Date(0) });
  }

  async claimOnce(key: string, at: Date): Promise<boolean> {
    return this.ctx.claim('claims', { _id: `once:${key}`, at });
  }
}
