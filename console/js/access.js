/**
 * What the caller may do, read from the service itself: each operation's `x-access` in the OpenAPI
 * document (the access policy) against the caller's role. An operation missing from the document is
 * a feature this service does not have (an older version behind the same console): the console hides it.
 */
const ROLES = ['viewer', 'operator', 'approver', 'admin'];

export function createAccess(doc, who) {
  const rank = who.open ? ROLES.length - 1 : ROLES.indexOf(who.role);
  const op = (method, template) => doc.paths?.[template]?.[method.toLowerCase()] ?? null;
  return {
    has(method, template) {
      return op(method, template) !== null;
    },
    can(method, template) {
      const o = op(method, template);
      if (!o) return false;
      const needed = o['x-access'];
      if (needed === 'public' || needed === 'webhook') return true;
      return rank >= ROLES.indexOf(needed);
    },
  };
}
