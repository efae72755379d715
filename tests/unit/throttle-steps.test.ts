import { applied, expired, inactiveThrottle, stepped } from '../../src/targets/throttle-state';

const T0 = new Date('2026-03-01T10:00:00Z');
const min = (m: number) => new Date(T0.getTime() + m * 60_000);
const restore = { steps: [0.75, 1], stepMinutes: 5, rule: 'r', source: 'agentx', actionId: 'a-1' };

function throttled() {
  const { next } = applied(inactiveThrottle(100), { factor: 0.5, minutes: 10, minFactor: 0.1, reason: 'r fired', restore }, T0);
  return next!;
}

describe('throttle restore in steps (pure rules)', () => {
  it('is never restored whole by expiry while steps remain', () => {
    expect(expired(throttled(), min(11))).toEqual({ next: null, change: 'unchanged' });
  });

  it('takes no step before the deadline, whatever the rule says', () => {
    expect(stepped(throttled(), min(9), { verdict: 'clear' }).change).toBe('unchanged');
  });

  it('a rule that fires again while stepping puts the throttle back at full strength and starts the steps over', () => {
    const up = stepped(throttled(), min(10), { verdict: 'clear' }).next!;
    expect(up).toMatchObject({ factor: 0.75, restore: { next: 1 } });
    const again = applied(up, { factor: 0.5, minutes: 10, minFactor: 0.1, reason: 'r fired again', restore }, min(12));
    expect(again.change).toBe('tightened');
    expect(again.next).toMatchObject({ factor: 0.5, limit: 50, until: min(22).toISOString(), restore: { next: 0, throttledFactor: 0.5 } });
    // What happened on the way is kept.
    expect(again.next!.restore!.history.map((h) => h.change)).toEqual(['stepped']);
  });

  it('steps up without a snapshot to judge by, and the last step restores the rate before the throttle', () => {
    const up = stepped(throttled(), min(10), { verdict: 'unknown' }).next!;
    const done = stepped(up, min(15), { verdict: 'unknown' });
    expect(done.change).toBe('restored');
    expect(done.next).toMatchObject({ active: false, factor: 1, limit: 100, restore: { next: 2 } });
    expect(done.next!.restore!.history[0]!.reason).toMatch(/no snapshot from agentx/);
  });
});
