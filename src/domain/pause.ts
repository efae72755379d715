/** The automation pause switch: while `paused`, no automatic execute or approval runs. */
export interface PauseState {
  paused: boolean;
  reason: string | null;
  by: string | null;
  since: string | null;
  /** When the pause ends by itself; null: until someone resumes. */
  until: string | null;
}

export const NOT_PAUSED: PauseState = { paused: false, reason: null, by: null, since: null, until: null };

/** Paused right now: on, and its `until` (if any) still ahead. */
export function isPausedAt(state: PauseState, now: Date): boolean {
  return state.paused && (state.until === null || Date.parse(state.until) > now.getTime());
}
