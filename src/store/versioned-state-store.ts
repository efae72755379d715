import type { NotificationEvent } from '../domain/events';
import type { PauseState } from '../domain/pause';
import type { FailbackProbes, FailoverState, Prompt, ThrottleState, Versioned } from '../domain/state';

/**
 * Where a versioned document lives: `state` holds the service's singletons (failover, throttle,
 * pause, failback probes), `prompts` one document per prompt. Both adapters keep the two apart
 * (SQLite tables and MongoDB collections of these names), as they always have.
 */
export type StateSpace = 'state' | 'prompts';

/** A versioned document's address; `T` is the type of its value (carried by the type only). */
export interface StateKey<T> {
  readonly space: StateSpace;
  readonly key: string;
  /** Never set: ties the key to its value type. */
  readonly valueType?: T;
}

export const FAILOVER_STATE: StateKey<FailoverState> = { space: 'state', key: 'failover' };
export const THROTTLE_STATE: StateKey<ThrottleState> = { space: 'state', key: 'throttle' };
export const PAUSE_STATE: StateKey<PauseState> = { space: 'state', key: 'pause' };
/** Written last-write-wins (saveFailbackProbes), never compare-and-set: one writer, no history. */
export const FAILBACK_PROBES: StateKey<FailbackProbes> = { space: 'state', key: 'failback-probes' };
export const promptKey = (name: string): StateKey<Prompt> => ({ space: 'prompts', key: name });

/**
 * The one compare-and-set document store: every change of a document is its next revision, written
 * only while the stored revision is still the one the writer read. Failover, throttle and pause state
 * and the prompts all live here; `updateVersioned` (compare-and-set.ts) is the retry loop over it.
 */
export interface VersionedStateStore {
  /** The newest revision of the document; null when it was never written. */
  getVersioned<T>(key: StateKey<T>): Promise<Versioned<T> | null>;
  /**
   * Writes `value` as revision `expectedRevision + 1` if the stored revision is still
   * `expectedRevision` (0: the document does not exist yet). False when it is stale: of concurrent
   * writers of one revision, exactly one wins. `events` are committed in the same write (state only).
   */
  setIfRevision<T>(key: StateKey<T>, value: T, expectedRevision: number, events?: NotificationEvent[]): Promise<boolean>;
}

/**
 * Events ride only with `state` documents: the MongoDB relay looks for them there (and in actions
 * and alerts), so an event written with a prompt would never be sent. Both adapters refuse it alike.
 */
export function checkEventsAllowed(key: StateKey<unknown>, events: NotificationEvent[] | undefined): void {
  if (events && events.length > 0 && key.space !== 'state') {
    throw new Error(`events cannot be committed with a ${key.space} document ("${key.key}")`);
  }
}

/** The typed shorthands of the service's own documents, kept on the Store for its readers and tests. */
export interface TargetStateStore extends VersionedStateStore {
  getFailoverState(): Promise<Versioned<FailoverState> | null>;
  /** Compare-and-set on the revision; `expectedRevision` 0 means "create". False when stale. */
  saveFailoverState(value: FailoverState, expectedRevision: number, events?: NotificationEvent[]): Promise<boolean>;
  getThrottleState(): Promise<Versioned<ThrottleState> | null>;
  /** Compare-and-set like saveFailoverState; both commit `events` with the new revision. */
  saveThrottleState(value: ThrottleState, expectedRevision: number, events?: NotificationEvent[]): Promise<boolean>;
  getPauseState(): Promise<Versioned<PauseState> | null>;
  /** Compare-and-set like saveFailoverState; commits `events` (paused, resumed) with the new revision. */
  savePauseState(value: PauseState, expectedRevision: number, events?: NotificationEvent[]): Promise<boolean>;
  /** The failback probes of the current failover; null until the first probe. */
  getFailbackProbes(): Promise<FailbackProbes | null>;
  /** Replaces them (only the periodic-work lease holder writes; the last write wins). */
  saveFailbackProbes(value: FailbackProbes): Promise<void>;
}

/** Prompts, each one versioned document (all its versions), so one compare-and-set switches the active one. */
export interface PromptStore extends VersionedStateStore {
  /** Every prompt at its newest revision, by name. */
  listPrompts(): Promise<Prompt[]>;
  getPrompt(name: string): Promise<Versioned<Prompt> | null>;
  savePrompt(value: Prompt, expectedRevision: number): Promise<boolean>;
}

export const TARGET_STATE_METHODS: Record<keyof (TargetStateStore & PromptStore), true> = {
  getVersioned: true,
  setIfRevision: true,
  getFailoverState: true,
  saveFailoverState: true,
  getThrottleState: true,
  saveThrottleState: true,
  getPauseState: true,
  savePauseState: true,
  getFailbackProbes: true,
  saveFailbackProbes: true,
  listPrompts: true,
  getPrompt: true,
  savePrompt: true,
};

/**
 * What each adapter writes itself; every shorthand above is written once, here, over it.
 */
export abstract class VersionedStateShorthands implements TargetStateStore, PromptStore {
  abstract getVersioned<T>(key: StateKey<T>): Promise<Versioned<T> | null>;
  abstract setIfRevision<T>(key: StateKey<T>, value: T, expectedRevision: number, events?: NotificationEvent[]): Promise<boolean>;
  abstract saveFailbackProbes(value: FailbackProbes): Promise<void>;
  abstract listPrompts(): Promise<Prompt[]>;

  getFailoverState(): Promise<Versioned<FailoverState> | null> {
    return this.getVersioned(FAILOVER_STATE);
  }

  saveFailoverState(value: FailoverState, expectedRevision: number, events?: NotificationEvent[]): Promise<boolean> {
    return this.setIfRevision(FAILOVER_STATE, value, expectedRevision, events);
  }

  getThrottleState(): Promise<Versioned<ThrottleState> | null> {
    return this.getVersioned(THROTTLE_STATE);
  }

  saveThrottleState(value: ThrottleState, expectedRevision: number, events?: NotificationEvent[]): Promise<boolean> {
    return this.setIfRevision(THROTTLE_STATE, value, expectedRevision, events);
  }

  getPauseState(): Promise<Versioned<PauseState> | null> {
    return this.getVersioned(PAUSE_STATE);
  }

  savePauseState(value: PauseState, expectedRevision: number, events?: NotificationEvent[]): Promise<boolean> {
    return this.setIfRevision(PAUSE_STATE, value, expectedRevision, events);
  }

  async getFailbackProbes(): Promise<FailbackProbes | null> {
    return (await this.getVersioned(FAILBACK_PROBES))?.value ?? null;
  }

  getPrompt(name: string): Promise<Versioned<Prompt> | null> {
    return this.getVersioned(promptKey(name));
  }

  savePrompt(value: Prompt, expectedRevision: number): Promise<boolean> {
    return this.setIfRevision(promptKey(value.name), value, expectedRevision);
  }
}
