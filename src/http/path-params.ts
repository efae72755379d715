import type { Request } from 'express';
import { ValidationError } from '../errors';
import { NAME_PATTERN, UUID_PATTERN } from '../domain/identifiers';

export { NAME_PATTERN, UUID_PATTERN };

/** `:name` of a rule route, refused with a 400 before it reaches a file or a query. */
export function nameParam(req: Request, what = 'rule'): string {
  const name = String(req.params.name);
  if (!NAME_PATTERN.test(name)) {
    throw new ValidationError(`invalid ${what} name`, [
      { pointer: '/params/name', message: 'must be 1-100 letters, digits, dots, underscores or dashes' },
    ]);
  }
  return name;
}

/** `:id` of an action or alert route. */
export function uuidParam(req: Request, what: string): string {
  const id = String(req.params.id);
  if (!UUID_PATTERN.test(id)) {
    throw new ValidationError(`invalid ${what} id`, [{ pointer: '/params/id', message: 'must be a UUID' }]);
  }
  return id;
}
