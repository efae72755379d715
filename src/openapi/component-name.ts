/** `https://.../schemas/responses/rule-write.json` → `RuleWrite`; the last path segment names it. */
export function componentName(id: string): string {
  const file = id.replace(/#.*$/, '').split('/').pop() ?? id;
  return file
    .replace(/\.json$/, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
