import type { ThrottleState } from '../../src/domain/state';
import { revertedTo } from '../../src/targets/throttle-state';

const active = (factor: number): ThrottleState => ({
  active: true,
  factor,
  limit: 100 * factor,
  baseLimit: 100,
  until: '2026-03-01T10:30:00.000Z',
  previous: { factor: 1, limit: 100 },
  reason: 'r',
});

describe("a throttle action's revert", () => {
  it('lifts the throttle when there was none before the action', () => {
    expect(revertedTo(active(0.5), { active: false, factor: 1 }, 'revert')).toMatchObject({
      change: 'restored',
      next: { active: false, factor: 1, limit: 100 },
    });
  });

  it('puts back the factor of a throttle the action tightened, keeping its deadline', () => {
    expect(revertedTo(active(0.25), { active: true, factor: 0.5 }, 'revert')).toMatchObject({
      change: 'restored',
      next: { active: true, factor: 0.5, limit: 50, until: '2026-03-01T10:30:00.000Z', reason: 'revert' },
    });
  });

  it('changes nothing once the throttle has ended, or when the rate is already back', () => {
    const ended: ThrottleState = { ...active(1), active: false, until: null };
    expect(revertedTo(ended, { active: false, factor: 1 }, 'revert')).toEqual({ next: null, change: 'unchanged' });
    expect(revertedTo(active(0.5), { active: true, factor: 0.5 }, 'revert')).toEqual({ next: null, change: 'unchanged' });
  });
});
