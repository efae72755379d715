import { call } from '../client.js';
import { badge, clear, h, table, timeEl } from '../dom.js';

export async function mount(main) {
  const { data: list } = await call('listPrompts');
  // The list holds summaries; each prompt's versions come from its own route.
  const items = await Promise.all(list.items.map(async (s) => (await call('getPrompt', { params: { name: s.name } })).data));
  clear(
    main,
    h('h1', {}, 'Prompts'),
    items.length === 0 ? h('p', { class: 'muted' }, 'No prompts registered yet (POST /api/prompts/{name}/versions).') : null,
    items.map((p) => h('section', { class: 'panel', 'aria-labelledby': `prompt-${p.name}` },
      h('h2', { id: `prompt-${p.name}` }, p.name, ' ', p.activeVersion ? badge('ok', `active: v${p.activeVersion}`) : badge('warning', 'none active')),
      table(['Version', 'Active', 'Description', 'Created', 'Content'], [...p.versions].reverse().map((v) => [
        `v${v.version}`,
        v.version === p.activeVersion ? badge('ok', 'active') : '—',
        v.description ?? '—',
        timeEl(v.createdAt),
        h('details', {}, h('summary', {}, `${v.content.length} characters`), h('pre', {}, v.content)),
      ]), `Versions of ${p.name}`))),
  );
  return {};
}
