/**
 * Named points in the code where the fault-injection suite (tests/chaos) may kill the process:
 * inside a store claim, between a change and its event, during a strategy, during delivery. In
 * normal running nothing is configured and `reach` does nothing.
 */
export interface FaultPoints {
  reach(point: string): void;
}

export const noFaults: FaultPoints = { reach: () => undefined };

/** Every point the code marks, so the suite can say which were hit and which never were. */
export const FAULT_POINTS = [
  'store.dispatch.after-cooldown-claim',
  'store.transition.after-claim',
  'store.transition.in-transaction',
  'action.after-dispatch',
  'executor.strategy-running',
  'executor.after-strategy',
  'relay.after-outbox-write',
  'delivery.after-send',
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];
