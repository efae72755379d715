/** Keys for tests that run with access control on: one per role, and a second approver. */
export const KEYS = {
  viewer: 'viewer-key-0001',
  operator: 'operator-key-0002',
  approver: 'approver-key-0003',
  admin: 'admin-key-0004',
  approver2: 'approver-key-0005',
} as const;

export const API_KEYS = [
  `v:viewer:${KEYS.viewer}`,
  `op:operator:${KEYS.operator}`,
  `ap:approver:${KEYS.approver}`,
  `ad:admin:${KEYS.admin}`,
  `ap2:approver:${KEYS.approver2}`,
].join(',');

export const bearer = (key: string): [string, string] => ['Authorization', `Bearer ${key}`];
