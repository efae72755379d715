// @ts-check
import { clear, h } from './dom.js';
import { refusalText } from './refusals.js';

/** @typedef {Node | string | null | undefined | false | Array<Node | string | null | undefined | false | Array<unknown>>} Content */

/**
 * "Act, then show the result or the refusal", once for every button that writes. `place` says what
 * is going on (`busy`), then what became of it: the result (`done`, as a notice, or as an alert when
 * `failed` says the result is a failure, e.g. an action that ran and failed), or the service's
 * refusal in the person's words (`role="alert"`; `refused` may show more for a code it knows).
 * `say` is announced to screen readers on success.
 * @template T
 * @param {HTMLElement} place
 * @param {() => Promise<T>} run
 * @param {{
 *   busy?: string,
 *   done: (value: T) => Content,
 *   failed?: (value: T) => boolean,
 *   say?: (value: T) => string,
 *   announce?: (text: string) => void,
 *   refused?: (err: import('./api.js').ApiError) => Content,
 * }} how
 * @returns {Promise<{ ok: true, value: T } | { ok: false, error: import('./api.js').ApiError }>}
 */
export async function act(place, run, how) {
  clear(place, how.busy ? h('p', {}, how.busy) : null);
  try {
    const value = await run();
    clear(place, h('p', { class: how.failed?.(value) ? 'alert' : 'notice' }, how.done(value)));
    if (how.say && how.announce) how.announce(how.say(value));
    return { ok: true, value };
  } catch (e) {
    const error = /** @type {import('./api.js').ApiError} */ (e);
    const more = how.refused?.(error);
    clear(place, more ? h('div', { role: 'alert' }, more) : h('p', { class: 'alert', role: 'alert' }, refusalText(error)));
    return { ok: false, error };
  }
}
