/** A tiny element builder: h('button', { onclick, class: 'x' }, 'text', child). Text is never parsed as HTML. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = Boolean(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Times are shown one way everywhere: the browser's local time with its zone ("3 Dec 2026, 22:41:07 UTC"). */
export function fmtTime(iso) {
  if (iso === null || iso === undefined || iso === '') return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' });
}

/** A <time> in local time with its zone; the exact ISO instant on hover (title) and in datetime. */
export function timeEl(iso, text) {
  if (iso === null || iso === undefined || iso === '') return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const exact = d.toISOString();
  return h('time', { datetime: exact, title: exact }, text ?? fmtTime(d));
}

/** "3 min ago" as a <time> whose hover shows the local time with its zone and the ISO instant. */
export function relTimeEl(iso, now = Date.now()) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return h('time', { datetime: d.toISOString(), title: `${fmtTime(d)} (${d.toISOString()})` }, relTime(iso, now));
}

/** "in 12 min", "3 min ago" */
export function relTime(iso, now = Date.now()) {
  if (!iso) return '—';
  const ms = new Date(iso).getTime() - now;
  const abs = Math.abs(ms);
  const text = abs < 60_000 ? `${Math.round(abs / 1000)} s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)} min` : `${(abs / 3_600_000).toFixed(1)} h`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

export function badge(value, label = value) {
  return h('span', { class: `badge ${value ?? ''}` }, label ?? '—');
}

export function json(value) {
  return h('pre', {}, JSON.stringify(value, null, 2));
}

export function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '—')]));
}

/** A table that stacks into label/value rows at phone width. */
export function table(headers, rows, caption) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'stack' },
      caption ? h('caption', { class: 'sr-only' }, caption) : null,
      h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c, i) => h('td', { 'data-label': headers[i] }, c))))),
    ),
  );
}

const ID_IN_TEXT = /\b(?:(snapshot)\s+)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/g;

/** Text with every id in it as a link: "snapshot <id>" to the snapshot, any other id to the action. */
export function linkIds(text) {
  const out = [];
  let last = 0;
  for (const m of String(text ?? '').matchAll(ID_IN_TEXT)) {
    const idStart = m.index + m[0].length - m[2].length;
    out.push(text.slice(last, idStart));
    out.push(h('a', { href: m[1] ? `#/snapshots/${m[2]}` : `#/actions/${m[2]}`, class: 'id' }, m[2]));
    last = idStart + m[2].length;
  }
  out.push(String(text ?? '').slice(last));
  return out;
}
