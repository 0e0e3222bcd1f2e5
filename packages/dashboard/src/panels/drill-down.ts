/** The drill-down dialog: the whole OCSF event of a row (or a finding), as JSON. */
import { byId, h, replace } from '../dom.js';

export function mountDrillDown(): (title: string, value: unknown) => void {
  const dialog = byId<HTMLDialogElement>('drill');
  return (title, value) => {
    const close = h('button', { type: 'button', onclick: () => dialog.close() }, 'Close');
    replace(
      dialog,
      h('h2', { id: 'drill-title' }, title),
      h(
        'pre',
        { tabindex: 0, 'aria-label': 'The whole event as JSON' },
        JSON.stringify(value, null, 2),
      ),
      close,
    );
    dialog.showModal();
    close.focus();
  };
}
