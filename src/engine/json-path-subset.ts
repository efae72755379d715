/**
 * The JSONPath forms a rule may use in `path`. jsonpath-plus evaluates filter (`?(...)`) and script
 * (`(...)`) expressions as code against the snapshot, where they can throw on ordinary data (a
 * `null` in a list) or reach the runtime; the other forms below only select members, so they
 * cannot fail whatever the data.
 *
 * Allowed after the leading `$`: `.name`, `.*`, `..name`, `..*`, `[0]` (non-negative index), `[*]`
 * and `['any name']` / `["any name"]` without quotes, brackets, parentheses, `?`, `@`, `$`, `~`,
 * `^`, `,`, backticks or backslashes inside.
 */
const IDENTIFIER = String.raw`[A-Za-z_][A-Za-z0-9_]*`;
const QUOTED_NAME = String.raw`[^'"\[\]()?@$~^,\x60\\]+`;
const SEGMENT = String.raw`(?:\.\.?(?:${IDENTIFIER}|\*)|\.\.?\[(?:\d+|\*|'${QUOTED_NAME}'|"${QUOTED_NAME}")\]|\[(?:\d+|\*|'${QUOTED_NAME}'|"${QUOTED_NAME}")\])`;
const ALLOWED = new RegExp(`^\\$(?:${SEGMENT})*$`);

/** Null when the path is allowed; otherwise what is wrong with it, for the problem message. */
export function jsonPathProblem(path: string): string | null {
  if (ALLOWED.test(path)) return null;
  if (/\?\s*\(/.test(path)) return 'filter expressions ("?(...)") are not allowed in a path; see docs/rules.md for the forms rules may use';
  if (/\[\s*\(/.test(path)) return 'script expressions ("(...)") are not allowed in a path; see docs/rules.md for the forms rules may use';
  if (/\[\s*-\d/.test(path)) {
    return 'negative indexes ("[-1]") are not allowed in a path: jsonpath-plus reads [-1] as a member named "-1", not as the last element; see docs/rules.md';
  }
  return 'is not a JSONPath form rules may use: "$" followed by .name, .*, ..name, [0], [*] or [\'name\'] (see docs/rules.md)';
}
