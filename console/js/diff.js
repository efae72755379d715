import { h } from './dom.js';

/** Line diff by longest common subsequence; fine for a rules file of a few thousand lines. */
export function diffLines(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) { out.push({ op: 'same', text: a[i] }); i += 1; j += 1; }
    else if (lcs[i + 1][j] >= lcs[i][j + 1]) { out.push({ op: 'del', text: a[i] }); i += 1; }
    else { out.push({ op: 'add', text: b[j] }); j += 1; }
  }
  while (i < n) out.push({ op: 'del', text: a[i++] });
  while (j < m) out.push({ op: 'add', text: b[j++] });
  return out;
}

/** The diff as an element; unchanged stretches are folded to three lines of context. */
export function diffView(before, after, label) {
  const lines = diffLines(before, after);
  const changed = lines.some((l) => l.op !== 'same');
  if (!changed) return h('p', { class: 'muted' }, 'No changes.');
  const keep = new Set();
  lines.forEach((l, i) => {
    if (l.op !== 'same') for (let k = Math.max(0, i - 3); k <= Math.min(lines.length - 1, i + 3); k += 1) keep.add(k);
  });
  const rows = [];
  let skipped = 0;
  lines.forEach((l, i) => {
    if (!keep.has(i)) { skipped += 1; return; }
    if (skipped) { rows.push(h('span', { class: 'same' }, `  … ${skipped} unchanged lines`)); skipped = 0; }
    const sign = l.op === 'add' ? '+ ' : l.op === 'del' ? '- ' : '  ';
    rows.push(h('span', { class: l.op }, l.op === 'add' ? h('ins', {}, sign + l.text) : l.op === 'del' ? h('del', {}, sign + l.text) : sign + l.text));
  });
  if (skipped) rows.push(h('span', { class: 'same' }, `  … ${skipped} unchanged lines`));
  return h('div', { class: 'diff', role: 'region', 'aria-label': label, tabindex: '0' }, rows);
}
