import type { Ruleset } from '../domain/rule';
import type { ProblemDetail } from '../errors';
import type { SchemaRegistry } from '../schemas/registry';
import { formatDocument, type RulesDocument, versionOf } from './rules-document';
import { validateRulesDocument } from './validate-rules';

/**
 * A whole rules document checked exactly as the service checks its file, made into a Ruleset that
 * evaluate and decide accept. For replay and the CLI: nothing is written or put in force.
 */
export function candidateRuleset(
  schemas: SchemaRegistry,
  doc: unknown,
  now: Date,
): { ok: true; ruleset: Ruleset } | { ok: false; problems: ProblemDetail[] } {
  const result = validateRulesDocument(schemas, doc);
  if (!result.ok) return { ok: false, problems: result.problems };
  return {
    ok: true,
    ruleset: {
      rules: result.rules,
      byName: new Map(result.rules.map((r) => [r.name, r])),
      // The version the file would have once the service wrote it.
      version: versionOf(formatDocument(doc as RulesDocument)),
      loadedAt: now,
    },
  };
}
