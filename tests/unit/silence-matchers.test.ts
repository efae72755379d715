import { matcherProblems, matchesSubject, type SilenceSubject } from '../../src/silences/matchers';
import { unsafeRegexReason } from '../../src/silences/safe-regex';

const subject: SilenceSubject = { rule: 'slow-primary-failover', type: 'model_failover', target: 'router', source: 'agentx', severity: 'critical' };

describe('silence matchers', () => {
  it('matches exact values and anchored regexes, every field given', () => {
    expect(matchesSubject({ rule: 'slow-primary-failover' }, subject)).toBe(true);
    expect(matchesSubject({ rule: 'slow-primary' }, subject)).toBe(false);
    expect(matchesSubject({ rule: { regex: 'slow-.*' } }, subject)).toBe(true);
    // Anchored: a regex must match the whole value, also across an alternation.
    expect(matchesSubject({ rule: { regex: 'primary' } }, subject)).toBe(false);
    expect(matchesSubject({ rule: { regex: 'x|slow' } }, subject)).toBe(false);
    expect(matchesSubject({ target: 'router', source: { regex: 'agent[xy]' }, severity: 'critical', type: 'model_failover' }, subject)).toBe(true);
    expect(matchesSubject({ target: 'router', severity: 'warning' }, subject)).toBe(false);
  });

  it('never matches a field the subject lacks (a trigger has no source)', () => {
    expect(matchesSubject({ source: { regex: '.*' } }, { ...subject, source: null })).toBe(false);
    expect(matchesSubject({ target: 'router' }, { ...subject, target: null })).toBe(false);
  });

  it('names every bad matcher', () => {
    expect(matcherProblems({}, '/matchers')).toEqual([{ pointer: '/matchers', message: expect.stringContaining('at least one') }]);
    expect(matcherProblems([], '/matchers')).toEqual([{ pointer: '/matchers', message: expect.any(String) }]);
    const problems = matcherProblems({ rule: '', team: 'x', type: 3, target: { regex: '(' }, source: { regex: 'a', flags: 'i' }, severity: { regex: '(a+)+' } }, '/matchers');
    expect(problems.map((p) => p.pointer)).toEqual(['/matchers/rule', '/matchers/team', '/matchers/type', '/matchers/target/regex', '/matchers/source/flags', '/matchers/severity/regex']);
    expect(problems[3]!.message).toMatch(/unclosed|not a valid/);
    expect(problems[5]!.message).toMatch(/^unsafe regular expression/);
    expect(matcherProblems({ rule: { regex: '[' } }, '/m')[0]!.message).toMatch(/unterminated|not a valid/);
    expect(matcherProblems({ rule: { regex: 'a'.repeat(201) } }, '/m')[0]!.message).toMatch(/at most 200/);
  });
});

describe('regex safety', () => {
  it.each(['(a+)+', '(a*)*b', '((ab)*c)+', '(a|aa)*', '(x+x+)+y', '(?:a+){2,}', '(\\w+\\s?)*$'])('refuses %s', (re) => {
    expect(unsafeRegexReason(re)).not.toBeNull();
  });
  it.each(['(a)\\1', '(?<n>a)\\k<n>', '(?=a)a', 'a(?!b)', '(?<=a)b', 'a)|(b'])('refuses %s', (re) => {
    expect(unsafeRegexReason(re)).not.toBeNull();
  });
  it.each(['prod-.*', 'router|prompt', '(?:eu|us)-[a-z]+-\\d{1,3}', '(ab)+c', '[(+*]+', 'a{2,5}b?', '(?<env>prod|stage)-web'])('accepts %s', (re) => {
    expect(unsafeRegexReason(re)).toBeNull();
  });
});
