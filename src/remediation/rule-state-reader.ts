import type { Clock } from '../clock';
import type { RuleState } from '../domain/rule-state';
import type { Store } from '../store/store';

/**
 * Reads per-rule state for `decide`, remembering cooldown ends it has seen. That is exact, not a
 * guess: a cooldown only ever moves through a dispatch, and a dispatch is refused until the
 * current cooldown has run out — so while `now` is before a known end, the store holds that very
 * end (on every instance), and a rule in cooldown is decided `cooldown` whatever else its state
 * says. During a storm of matching snapshots this saves the store a read per snapshot.
 */
export class RuleStateReader {
  /**
   * Per rule known to be in cooldown, its state: the end as the store gave it (a Date here is never
   * changed) and no open approval that matters. One object per cooldown, handed to every read: a
   * storm reads hundreds a snapshot.
   */
  private readonly knownCooldowns = new Map<string, RuleState & { cooldownUntil: Date }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** The states at `now` (the instant being decided; the clock's now by default). */
  async read(rules: string[], at: Date = this.clock.now()): Promise<Map<string, RuleState>> {
    const now = at.getTime();
    const states = new Map<string, RuleState>();
    const unknown: string[] = [];
    for (const rule of rules) {
      const known = this.knownCooldowns.get(rule);
      if (known !== undefined && known.cooldownUntil.getTime() > now) {
        states.set(rule, known);
      } else {
        if (known !== undefined) this.knownCooldowns.delete(rule);
        unknown.push(rule);
      }
    }
    if (unknown.length === 0) return states;
    for (const [rule, state] of await this.store.getRuleStates(unknown)) {
      states.set(rule, state);
      if (state.cooldownUntil) this.remember(rule, state.cooldownUntil, at);
    }
    return states;
  }

  /** Called with every cooldown end the store reports (a dispatch made, or a race lost). */
  remember(rule: string, until: Date, now: Date = this.clock.now()): void {
    if (until.getTime() <= now.getTime()) return;
    if (this.knownCooldowns.get(rule)?.cooldownUntil.getTime() === until.getTime()) return;
    this.knownCooldowns.set(rule, Object.freeze({ cooldownUntil: until, openApprovalId: null }));
  }
}
