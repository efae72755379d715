// @ts-check
import { OPERATIONS } from './operations.js';

/** @typedef {import('./operations.js').OperationName} OperationName */

/**
 * What the caller may do, read from the service itself: each operation's access (the access policy,
 * in the service's operation list) against the caller's role. An operation the list lacks is a
 * feature this service does not have (an older version behind the same console): the console hides it.
 */
const ROLES = ['viewer', 'operator', 'approver', 'admin'];

/** @param {import('./types').Who} who */
export function createAccess(who) {
  const rank = who.open ? ROLES.length - 1 : ROLES.indexOf(who.role ?? '');
  return {
    /** @param {string} name an operationId */
    has(name) {
      return Object.hasOwn(OPERATIONS, name);
    },
    /** @param {string} name an operationId */
    can(name) {
      if (!Object.hasOwn(OPERATIONS, name)) return false;
      const needed = OPERATIONS[/** @type {OperationName} */ (name)].access;
      if (needed === 'public' || needed === 'webhook') return true;
      return rank >= ROLES.indexOf(needed);
    },
  };
}
