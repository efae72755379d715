import type { Ruleset } from '../domain/rule';
import type { ProblemDetail } from '../errors';
import type { SchemaRegistry } from '../schemas/registry';
import { formatDocument, parseDocumentText, type RulesDocument, versionOf } from './rules-document';
import { validateRulesDocument } from './validate-rules';

export type CandidateOutcome = { ok: true; ruleset: Ruleset } | { ok: false; problems: ProblemDetail[] };

function rulesetOf(schemas: SchemaRegistry, doc: unknown, version: string, now: Date): CandidateOutcome {
  const result = validateRulesDocument(schemas, doc);
  if (!result.ok) return { ok: false, problems: result.problems };
  return { ok: true, ruleset: { rules: result.rules, byName: new Map(result.rules.map((r) => [r.name, r])), version, loadedAt: now } };
}

/**
 * A whole rules document checked exactly as the service checks its file, made into a Ruleset that
 * evaluate and decide accept. For replay: nothing is written or put in force. A document has no
 * bytes of its own, so its version is the one the file would have once the service wrote it.
 */
export function candidateRuleset(schemas: SchemaRegistry, doc: unknown, now: Date): CandidateOutcome {
  return rulesetOf(schemas, doc, versionOf(formatDocument(doc as RulesDocument)), now);
}

/**
 * A rules file's text checked as the service checks its file, with the version the service reports
 * for that same file (a digest of its bytes, `versionOf`). Text that is not JSON is an invalid file.
 */
export function candidateRulesetFromText(schemas: SchemaRegistry, text: string, now: Date): CandidateOutcome {
  const parsed = parseDocumentText(text);
  if (!parsed.ok) return { ok: false, problems: [parsed.problem] };
  return rulesetOf(schemas, parsed.doc, versionOf(text), now);
}
