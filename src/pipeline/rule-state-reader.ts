import type { Clock } from '../clock';
import type { DispatchOutcome, RuleState } from '../domain/rule-state';
import type { Store } from '../store/store';
import type { BudgetUsage } from '../store/dispatch-store';
import { CooldownMemory } from '../closed-loop/cooldown-memory';

/** States kept from the store at one version; dropped whole when it grows past this many rules. */
const CACHE_LIMIT = 100_000;

/**
 * Reads per-rule state for `decide`, remembering what it has seen, exactly:
 *
 * - A cooldown end: a cooldown only ever moves through a dispatch, and a dispatch is refused until
 *   the current cooldown has run out — so while `now` is before a known end, the store holds that
 *   very end (on every instance), and a rule in cooldown is decided `cooldown` whatever else its
 *   state says. During a storm of matching snapshots this saves the store any read. Only settled
 *   ends are known: one the store reports tentative (RuleState.cooldownTentative: MongoDB, a
 *   dispatch under way that may still give its window back) is read again like any other state,
 *   and that dispatch moves the version whether it goes ahead or gives the window back.
 * - Any other state (no cooldown, an open approval): kept with the store's rule-states version read
 *   just before it (`Store.ruleStatesVersion`), which every dispatch and every approval leaving
 *   pending moves, on whichever instance. While the version reads the same, nothing has changed
 *   those states, so one cheap read of the version stands in for reading them all again.
 * - The budget claims of targets: they change only in a dispatch (claimed, or given back when the
 *   dispatch fails), which moves the same version, so they are kept with it too.
 */
export class RuleStateReader {
  /** Cooldown ends known exactly: a storm decides hundreds of matches a snapshot by these, none read. */
  readonly cooldowns = new CooldownMemory();

  /** States as the store gave them at `cachedVersion` (read before them). */
  private readonly cached = new Map<string, RuleState>();
  private cachedVersion: string | null = null;
  /** Budget claims per target at `cachedVersion`: their instants, newest first, from `since` on. */
  private readonly claims = new Map<string, { since: number; at: Date[] }>();

  constructor(
    private readonly store: Pick<Store, 'getRuleStates' | 'ruleStatesVersion' | 'getBudgetUsage'>,
    private readonly clock: Clock,
  ) {}

  /** The states at `now` (the instant being decided; the clock's now by default). */
  async read(rules: string[], at: Date = this.clock.now()): Promise<Map<string, RuleState>> {
    const states = new Map<string, RuleState>();
    const unknown = this.knownAt(rules, at, states);
    if (unknown.length === 0) return states;
    const version = await this.store.ruleStatesVersion();
    if (version !== this.cachedVersion || this.cached.size >= CACHE_LIMIT || this.claims.size >= CACHE_LIMIT) {
      this.cached.clear();
      this.claims.clear();
      this.cachedVersion = version;
    }
    const missing = unknown.filter((rule) => !this.cached.has(rule));
    if (missing.length > 0) {
      const read = await this.store.getRuleStates(missing);
      // Another read may have moved to a newer version meanwhile: these belong to `version` only.
      for (const [rule, state] of read) {
        Object.freeze(state);
        if (this.cachedVersion === version) this.cached.set(rule, state);
        states.set(rule, state);
      }
    }
    for (const rule of unknown) {
      const state = states.get(rule) ?? this.cached.get(rule)!;
      states.set(rule, state);
      if (state.cooldownUntil && !state.cooldownTentative) this.remember(rule, state.cooldownUntil, at);
    }
    return states;
  }

  /**
   * The budget claims of these targets from `since` on, newest first, for the decide that has just
   * read its rules' states with `read` (which read the version): while the version is the one that
   * read found, the claims kept with it are the store's. During a storm of matches held by a spent
   * budget this spares a read per snapshot. Before any version was read, the store is asked.
   */
  async budgetUsage(targets: string[], since: Date): Promise<BudgetUsage> {
    const version = this.cachedVersion;
    if (version === null) return this.store.getBudgetUsage(targets, since);
    const from = since.getTime();
    // What is kept is taken before the read: a read for a newer version may drop it meanwhile.
    const claims = new Map<string, Date[]>();
    const missing: string[] = [];
    for (const target of new Set(targets)) {
      const kept = this.claims.get(target);
      if (kept !== undefined && kept.since <= from) claims.set(target, kept.at);
      else missing.push(target);
    }
    if (missing.length > 0) {
      const read = await this.store.getBudgetUsage(missing, since);
      for (const target of missing) {
        const at = read.get(target) ?? [];
        claims.set(target, at);
        // Another read may have moved to a newer version meanwhile: these belong to `version` only.
        if (this.cachedVersion === version) this.claims.set(target, { since: from, at });
      }
    }
    const usage: BudgetUsage = new Map();
    for (const [target, at] of claims) usage.set(target, at.filter((d) => d.getTime() >= from));
    return usage;
  }

  /** Called with every dispatch's outcome: the end it wrote, or the settled end that refused it. */
  learn(rule: string, wrote: Date, outcome: DispatchOutcome, now: Date): void {
    if (outcome.ok) this.remember(rule, wrote, now);
    else if (outcome.reason === 'cooldown' && !outcome.tentative) this.remember(rule, outcome.until, now);
  }

  /** Called with every cooldown end the store reports (a dispatch made, or a race lost). */
  remember(rule: string, until: Date, now: Date = this.clock.now()): void {
    this.cooldowns.remember(rule, until, now.getTime());
  }

  /** Puts the rules known to be in cooldown at `at` into `states`; returns the others. */
  private knownAt(rules: string[], at: Date, states: Map<string, RuleState>): string[] {
    const now = at.getTime();
    const unknown: string[] = [];
    for (const rule of rules) {
      const known = this.cooldowns.at(rule, now);
      if (known !== undefined) states.set(rule, known.state);
      else unknown.push(rule);
    }
    return unknown;
  }
}
