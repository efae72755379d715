import type { ErrorObject } from 'ajv';
import type { ProblemDetail } from '../errors';

function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Turns ajv's errors into one problem per real mistake: the pointer names the offending value (or
 * the missing/unknown property itself), and the bookkeeping errors of if/then/anyOf are folded.
 */
export function toProblems(errors: ErrorObject[] | null | undefined, prefix = ''): ProblemDetail[] {
  if (!errors) return [];
  const anyOfPointers = new Set(
    errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath),
  );
  const problems: ProblemDetail[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    let pointer = prefix + error.instancePath;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required' && error.schemaPath.includes('/anyOf/')) continue;
    if (error.keyword === 'anyOf' && anyOfPointers.has(error.instancePath)) {
      message = 'must have exactly one of "all", "any" or "not"';
    } else if (error.keyword === 'required') {
      pointer += `/${escapePointerToken(String(error.params.missingProperty))}`;
      message = 'is required';
    } else if (error.keyword === 'additionalProperties') {
      pointer += `/${escapePointerToken(String(error.params.additionalProperty))}`;
      message = 'is not an allowed property';
    } else if (error.keyword === 'enum') {
      message = `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    }
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ pointer, message });
  }
  return problems;
}
