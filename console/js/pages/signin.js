import { call } from '../client.js';
import { clear, h } from '../dom.js';

export function renderSignIn(main, done) {
  const key = h('input', { id: 'api-key', type: 'password', autocomplete: 'current-password', required: true, 'aria-describedby': 'signin-help' });
  const error = h('div', { role: 'alert' });
  const form = h(
    'form',
    {
      class: 'panel signin',
      onsubmit: async (e) => {
        e.preventDefault();
        clear(error);
        try {
          await call('signIn', { body: { apiKey: key.value } });
          done();
        } catch (err) {
          clear(error, h('p', { class: 'alert' }, err.status === 401 ? 'That API key is not valid.' : err.message));
          key.setAttribute('aria-invalid', 'true');
          key.focus();
        }
      },
    },
    h('h1', {}, 'Sign in'),
    h('label', { for: 'api-key' }, 'API key'),
    key,
    h('p', { id: 'signin-help', class: 'muted' }, 'Your key stays in this form: the service answers with a session cookie carrying the key\'s role, and the console shows only what that role may do.'),
    error,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Sign in')),
  );
  clear(main, form);
  document.title = 'Sign in · Self-healing console';
  key.focus();
}
