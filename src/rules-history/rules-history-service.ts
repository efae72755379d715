import type { Clock } from '../clock';
import type { Page } from '../domain/action';
import type { RulesVersionRecord, RulesVersionSummary } from '../domain/rules-version';
import type { Logger } from '../logging/logger';
import type { RulesChange, RulesChangeRecorder } from '../rules/rules-change-recorder';
import { diffRules } from '../rules/rules-diff';
import type { RulesHistoryStore } from '../store/rules-history-store';

const MAX_ATTEMPTS = 20;

export interface RulesHistoryDeps {
  store: RulesHistoryStore;
  clock: Clock;
  logger: Logger;
}

/**
 * The rules history: every accepted version of the rules file with who made it and what changed.
 * An API edit is recorded before its file write (so that no instance sees the new file before its
 * record exists and records it again as a hand edit); a version found on disk is recorded unless it
 * already is the newest record.
 */
export class RulesHistoryService implements RulesChangeRecorder {
  constructor(private readonly deps: RulesHistoryDeps) {}

  async beforeWrite(change: RulesChange): Promise<() => Promise<void>> {
    const record = await this.append(change, false);
    return async () => {
      if (record) await this.deps.store.deleteRulesVersion(record.seq, record.version);
    };
  }

  async found(change: RulesChange): Promise<void> {
    await this.append(change, true);
  }

  list(query: { limit: number; cursor?: string }): Promise<Page<RulesVersionSummary>> {
    return this.deps.store.listRulesVersions(query);
  }

  get(version: string): Promise<RulesVersionRecord | null> {
    return this.deps.store.getRulesVersion(version);
  }

  /** Takes the next number by inserting it; a lost race reads the newest again and retries. */
  private async append(change: RulesChange, unlessNewest: boolean): Promise<RulesVersionRecord | null> {
    // JSON round trip: an absent field is absent in both stores (MongoDB would keep undefined as null).
    const diff = JSON.parse(JSON.stringify(diffRules(change.before ?? [], change.rules))) as RulesVersionRecord['diff'];
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const latest = await this.deps.store.latestRulesVersion();
      if (unlessNewest && latest?.version === change.version) return null;
      const record: RulesVersionRecord = {
        seq: (latest?.seq ?? 0) + 1,
        version: change.version,
        at: this.deps.clock.now(),
        by: change.by,
        cause: change.cause,
        rollbackOf: change.rollbackOf ?? null,
        previousVersion: change.previousVersion,
        rules: change.rules.length,
        diff,
        document: change.text,
      };
      if (await this.deps.store.insertRulesVersion(record)) {
        this.deps.logger.info('rules version recorded', { seq: record.seq, version: record.version, by: record.by, cause: record.cause });
        return record;
      }
    }
    throw new Error('could not record the rules version: the history kept changing');
  }
}
