import { ACTION_TYPES } from '../domain/rule';
import type { Strategy, StrategyMap } from './strategy';

/** Every action type must have exactly one strategy; a gap is a programming error caught at start. */
export function createStrategyMap(strategies: Strategy[]): StrategyMap {
  const registry = new Map<Strategy['type'], Strategy>();
  for (const strategy of strategies) {
    if (registry.has(strategy.type)) throw new Error(`two strategies for ${strategy.type}`);
    registry.set(strategy.type, strategy);
  }
  for (const type of ACTION_TYPES) {
    if (!registry.has(type)) throw new Error(`no strategy for action type ${type}`);
  }
  return registry;
}
