import { isPausedAt, NOT_PAUSED, type PauseState } from '../domain/pause';
import { ConflictError, ValidationError } from '../errors';
import { buildEvent, type NotificationEvent } from '../domain/events';
import type { PipelineDeps } from './pipeline-deps';
import { keepStored, updateVersioned, writeNext } from '../store/compare-and-set';
import { PAUSE_STATE, type VersionedStateStore } from '../store/versioned-state-store';

/** The pipeline's dependencies, of the store only its versioned state. */
export type PauseServiceDeps = Omit<PipelineDeps, 'store'> & { store: VersionedStateStore };

export interface PauseInput {
  reason: string;
  /** ISO instant; absent: until someone resumes. */
  until?: string;
  by: string;
}

/**
 * The pause switch, one versioned document in the store shared by every instance. Each change is a
 * compare-and-set, so of two instances ending an expired pause only one notifies.
 */
export class PauseService {
  constructor(private readonly deps: PauseServiceDeps) {}

  /** The stored state, read as it is now: a pause past its `until` reads as not paused. */
  async current(): Promise<PauseState> {
    const stored = await this.deps.store.getVersioned(PAUSE_STATE);
    const state = stored?.value ?? NOT_PAUSED;
    return isPausedAt(state, this.deps.clock.now()) ? state : NOT_PAUSED;
  }

  async isPaused(): Promise<boolean> {
    return (await this.current()).paused;
  }

  async pause(input: PauseInput): Promise<PauseState> {
    const now = this.deps.clock.now();
    if (input.until !== undefined && Date.parse(input.until) <= now.getTime()) {
      throw new ValidationError('the pause would already be over', [
        { pointer: '/until', message: `must be later than now (${now.toISOString()})` },
      ]);
    }
    const next: PauseState = {
      paused: true,
      reason: input.reason,
      by: input.by,
      since: now.toISOString(),
      until: input.until === undefined ? null : new Date(input.until).toISOString(),
    };
    const event = buildEvent('automation.paused', now, { severity: 'warning', data: { ...next } });
    await this.write(() => ({ state: next, event }));
    this.deps.logger.warn('automation paused', { by: input.by, reason: input.reason, until: next.until });
    this.deps.notifier.notify(event);
    return next;
  }

  /** Resumes now; resuming what is not paused changes nothing and says so. */
  async resume(by: string): Promise<{ resumed: boolean; state: PauseState }> {
    const resumed = await this.end((state) => isPausedAt(state, this.deps.clock.now()), by, 'resumed');
    return { resumed, state: NOT_PAUSED };
  }

  /** Ends a pause whose `until` has passed (the periodic sweep); true when this call ended it. */
  async endIfExpired(): Promise<boolean> {
    return this.end((state) => state.paused && !isPausedAt(state, this.deps.clock.now()), 'expiry', 'expired');
  }

  private async end(applies: (state: PauseState) => boolean, by: string, how: 'resumed' | 'expired'): Promise<boolean> {
    let ended: { was: PauseState; event: NotificationEvent } | null = null;
    await this.write((state) => {
      // Each attempt decides afresh: a lost compare-and-set followed by "nothing to end" means
      // another instance ended it, and only that one announces it.
      ended = null;
      if (!applies(state)) return null;
      const event = buildEvent('automation.resumed', this.deps.clock.now(), {
        data: { by, how, pausedBy: state.by, reason: state.reason, since: state.since, until: state.until },
      });
      ended = { was: state, event };
      return { state: NOT_PAUSED, event };
    });
    if (!ended) return false;
    const { was, event } = ended as { was: PauseState; event: NotificationEvent };
    this.deps.logger.info(`automation ${how}`, { by, pausedBy: was.by });
    this.deps.notifier.notify(event);
    return true;
  }

  /**
   * Read, compute, compare-and-set; null from `change` writes nothing. The change's event is
   * committed in the same write as the state, so a crash cannot keep one and lose the other.
   */
  private async write(change: (state: PauseState) => { state: PauseState; event: NotificationEvent } | null): Promise<void> {
    const written = await updateVersioned(this.deps.store, PAUSE_STATE, (stored) => {
      const next = change(stored?.value ?? NOT_PAUSED);
      return next === null ? keepStored(undefined) : writeNext(next.state, undefined, [next.event]);
    });
    if (written.status === 'exhausted') {
      throw new ConflictError('the pause switch kept changing concurrently; try again', {}, 'concurrent_update');
    }
  }
}
