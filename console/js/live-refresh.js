// @ts-check
/** @typedef {import('./types').LiveEvent} LiveEvent */
/** @typedef {import('./types').PageInstance} PageInstance */

/**
 * "Refresh on live events", once for every page: an event the page cares about (`when`) refreshes
 * it after `delayMs` (several events often arrive together: one refresh for the lot), one refresh at
 * a time (an event during a refresh runs one more after it), and none once the page is left
 * (`dispose`). A refresh that fails keeps what is shown; the next event tries again.
 * @param {() => Promise<unknown>} refresh
 * @param {{ when?: (event: LiveEvent) => boolean, delayMs?: number }} [options]
 * @returns {{ onEvent: (event: LiveEvent) => void, dispose: () => void }}
 */
export function refreshOnLive(refresh, { when = () => true, delayMs = 150 } = {}) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let disposed = false;
  let running = false;
  let again = false;
  const run = async () => {
    if (disposed) return;
    if (running) { again = true; return; }
    running = true;
    try {
      await refresh();
    } catch {
      // Kept as shown.
    } finally {
      running = false;
    }
    if (again) { again = false; void run(); }
  };
  return {
    onEvent(event) {
      if (disposed || !when(event)) return;
      clearTimeout(timer);
      timer = setTimeout(() => void run(), delayMs);
    },
    dispose() {
      disposed = true;
      clearTimeout(timer);
    },
  };
}

/** Action events: what the action pages follow. @param {LiveEvent} e */
export const actionEvent = (e) => e.type.startsWith('action.');
