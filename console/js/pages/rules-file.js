import { call } from '../client.js';
import { clear, h } from '../dom.js';
import { diffView } from '../diff.js';
import { refusalText } from '../refusals.js';

/** The 1-based line of the place a JSON pointer names, found by walking the text (so the person's own layout counts). */
export function lineOf(text, pointer) {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let i = 0;
  const ws = () => { while (/\s/.test(text[i] ?? '')) i += 1; };
  const skipString = () => { i += 1; while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1; i += 1; };
  const skipValue = () => {
    ws();
    if (text[i] === '"') return skipString();
    if (text[i] === '{' || text[i] === '[') {
      let depth = 0;
      do {
        if (text[i] === '"') { skipString(); continue; }
        if (text[i] === '{' || text[i] === '[') depth += 1;
        if (text[i] === '}' || text[i] === ']') depth -= 1;
        i += 1;
      } while (depth > 0 && i < text.length);
      return undefined;
    }
    while (i < text.length && !/[,}\]\s]/.test(text[i])) i += 1;
    return undefined;
  };
  for (const part of parts) {
    ws();
    if (text[i] === '{') {
      i += 1;
      for (;;) {
        ws();
        if (text[i] !== '"') return null;
        const start = i;
        skipString();
        const key = JSON.parse(text.slice(start, i));
        ws(); i += 1; // the colon
        if (key === part) break;
        skipValue(); ws();
        if (text[i] === ',') i += 1; else return null;
      }
    } else if (text[i] === '[') {
      i += 1;
      for (let n = 0; n < Number(part); n += 1) { skipValue(); ws(); if (text[i] === ',') i += 1; else return null; }
    } else return null;
  }
  ws();
  return text.slice(0, i).split('\n').length;
}

export async function mount(main, ctx) {
  const canSave = ctx.can('replaceRulesFile');
  const canValidate = ctx.can('validateRulesFile');
  let file = (await call('getRulesFile')).data;
  const editor = h('textarea', { id: 'rules-text', rows: '28', spellcheck: 'false', readonly: !canSave, 'aria-describedby': 'rules-problems' }, file.text);
  const problemsBox = h('div', { id: 'rules-problems', role: 'alert' });
  const review = h('div');
  const message = h('div', { role: 'status' });

  const showProblems = (problems, text) => {
    clear(problemsBox);
    if (!problems.length) { editor.removeAttribute('aria-invalid'); return; }
    editor.setAttribute('aria-invalid', 'true');
    problemsBox.append(h('div', { class: 'alert' }, h('p', {}, `${problems.length} problem${problems.length > 1 ? 's' : ''}:`),
      h('ul', {}, problems.map((p) => {
        const line = lineOf(text, p.pointer || '');
        return h('li', {}, h('code', {}, p.pointer || '(root)'), line ? ` (line ${line})` : '', `: ${p.message} `,
          line ? h('button', { type: 'button', class: 'secondary', onclick: () => goToLine(line) }, `Go to line ${line}`) : null);
      }))));
  };
  const goToLine = (line) => {
    const lines = editor.value.split('\n');
    const start = lines.slice(0, line - 1).join('\n').length + (line > 1 ? 1 : 0);
    editor.focus();
    editor.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
  };
  const parsed = () => {
    try { return { doc: JSON.parse(editor.value) }; } catch (err) { return { error: err.message }; }
  };

  const validate = async () => {
    const p = parsed();
    if (p.error) { showProblems([{ pointer: '', message: `not valid JSON: ${p.error}` }], editor.value); return false; }
    const res = await call('validateRulesFile', { body: p.doc });
    showProblems(res.data.problems, editor.value);
    if (res.data.valid) clear(message, h('p', { class: 'notice' }, `Valid: ${res.data.rules} rules.`));
    return res.data.valid;
  };

  const save = async (ifMatch) => {
    const p = parsed();
    clear(message);
    try {
      const res = await call('replaceRulesFile', { body: p.doc, headers: { 'If-Match': `"${ifMatch}"` } });
      file = (await call('getRulesFile')).data;
      clear(review);
      showProblems([], '');
      clear(message, h('p', { class: 'notice' }, `Saved. The rules file is now version ${res.data.version}.`));
      ctx.announce('Rules file saved');
    } catch (err) {
      clear(review);
      if (err.status === 412) {
        const newer = (await call('getRulesFile')).data;
        clear(review, h('div', { class: 'warnbox' },
          h('h2', {}, 'The rules file changed while you were editing'),
          h('p', {}, `You started from version ${file.version}; the file is now version ${newer.version}. How the newer file differs from yours (− newer, + yours):`),
          diffView(newer.text, editor.value, 'Newer file compared with your edit'),
          h('div', { class: 'actions' },
            h('button', { type: 'button', onclick: () => { file = { ...file, version: newer.version }; void save(newer.version); } }, 'Save my version over it'),
            h('button', { type: 'button', class: 'secondary', onclick: () => { file = newer; editor.value = newer.text; clear(review); } }, 'Discard my edit and load the newer version'))));
        review.querySelector('button')?.focus();
        return;
      }
      showProblems(err.problem.errors ?? [], editor.value);
      clear(message, h('p', { class: 'alert', role: 'alert' }, `Not saved: ${refusalText(err)}`));
    }
  };

  clear(
    main,
    h('p', {}, h('a', { href: '#/rules' }, '← Rules')),
    h('h1', {}, 'Rules file'),
    h('p', { class: 'muted' }, `${file.file} · version ${file.version}`),
    h('label', { for: 'rules-text' }, 'The whole rules file (JSON)'),
    editor,
    problemsBox,
    h('div', { class: 'actions' },
      canValidate ? h('button', { type: 'button', class: 'secondary', onclick: () => void validate() }, 'Validate') : null,
      canSave ? h('button', { type: 'button', onclick: async () => {
        clear(message);
        const p = parsed();
        if (p.error) { showProblems([{ pointer: '', message: `not valid JSON: ${p.error}` }], editor.value); return; }
        if (canValidate && !(await validate())) return;
        clear(review, h('h2', {}, 'Review changes'), diffView(file.text, editor.value, 'Changes to the file (− before, + after)'),
          h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => void save(file.version) }, 'Save file'), h('button', { type: 'button', class: 'secondary', onclick: () => clear(review) }, 'Keep editing')));
        review.querySelector('button')?.focus();
      } }, 'Review changes') : h('p', { class: 'muted' }, 'Your role can read the file but not change it.')),
    message,
    review,
  );
  return {};
}
