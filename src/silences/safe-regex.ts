/** Longest regex source a matcher may have. */
export const MAX_REGEX_LENGTH = 200;

interface Group {
  /** Contains an unbounded or large repetition somewhere inside. */
  repeats: boolean;
  alternates: boolean;
}

/**
 * Why this pattern could take exponential time on a short string, or null when it cannot: the
 * shapes behind catastrophic backtracking (a repeated group that itself repeats or alternates, as in
 * `(a+)+` or `(a|aa)*`), and what makes matching unbounded or unpredictable (back-references,
 * look-arounds). Conservative on purpose: a matcher names rules, types, targets and sources, which
 * never need those. The pattern must also compile (checked by the caller).
 */
export function unsafeRegexReason(source: string): string | null {
  if (source.length > MAX_REGEX_LENGTH) return `is longer than ${MAX_REGEX_LENGTH} characters`;
  const stack: Group[] = [{ repeats: false, alternates: false }];
  /** What the next quantifier applies to: a closed group, or a single atom (char, class, escape). */
  let last: { group: Group | null } | null = null;
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'uses a back-reference';
      i += 1;
      last = { group: null };
      continue;
    }
    if (c === '[') {
      i = classEnd(source, i);
      if (i < 0) return 'has an unterminated character class';
      last = { group: null };
      continue;
    }
    if (c === '(') {
      if (source.startsWith('(?=', i) || source.startsWith('(?!', i) || source.startsWith('(?<=', i) || source.startsWith('(?<!', i)) {
        return 'uses a look-around';
      }
      stack.push({ repeats: false, alternates: false });
      if (source.startsWith('(?:', i)) i += 2;
      else if (source.startsWith('(?<', i)) i = Math.max(i, source.indexOf('>', i));
      last = null;
      continue;
    }
    if (c === ')') {
      if (stack.length === 1) return 'has an unbalanced ")"';
      const group = stack.pop()!;
      const parent = stack[stack.length - 1]!;
      if (group.repeats) parent.repeats = true;
      last = { group };
      continue;
    }
    if (c === '|') {
      stack[stack.length - 1]!.alternates = true;
      last = null;
      continue;
    }
    const quantifier = quantifierAt(source, i);
    if (quantifier !== null) {
      if (last === null) return `has a quantifier with nothing to repeat at ${i}`;
      if (quantifier.repeats) {
        if (last.group && last.group.repeats) return 'repeats a group that itself repeats (nested quantifiers)';
        if (last.group && last.group.alternates) return 'repeats a group of alternatives';
        stack[stack.length - 1]!.repeats = true;
      }
      i = quantifier.end;
      if (source[i + 1] === '?') i += 1; // lazy
      last = null;
      continue;
    }
    last = { group: null };
  }
  if (stack.length !== 1) return 'has an unclosed "("';
  return null;
}

/** The index of the `]` closing the class opened at `start`, or -1. */
function classEnd(source: string, start: number): number {
  for (let i = start + 1; i < source.length; i += 1) {
    if (source[i] === '\\') i += 1;
    else if (source[i] === ']') return i;
  }
  return -1;
}

/** A quantifier starting at `i`: where it ends, and whether it repeats more than a few times. */
function quantifierAt(source: string, i: number): { end: number; repeats: boolean } | null {
  const c = source[i];
  if (c === '*' || c === '+') return { end: i, repeats: true };
  if (c === '?') return { end: i, repeats: false };
  if (c !== '{') return null;
  const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
  if (!m) return null;
  const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
  return { end: i + m[0].length - 1, repeats: max > 10 };
}
