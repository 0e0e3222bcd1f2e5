/** Headline counters of the range: sign-ins, failures, failure rate, new devices, denied sign-ups, open findings. */
import { byId, h, replace } from '../dom.js';
import { formatNumber, formatPercent } from '../format.js';
import type { Store } from '../store.js';

export function mountCounters(store: Store): void {
  const list = byId('counters');
  store.on('summary', ({ data, loading, error }) => {
    list.closest('section')?.setAttribute('aria-busy', String(loading));
    if (error) {
      replace(list, h('p', { class: 'message error' }, `Counters unavailable: ${error}`));
      return;
    }
    if (!data) return;
    const items: [string, string, string?][] = [
      ['Sign-ins', formatNumber(data.signIns)],
      ['Failures', formatNumber(data.failures), data.failures > 0 ? 'bad' : undefined],
      ['Failure rate', formatPercent(data.failureRate), data.failureRate > 0.2 ? 'bad' : undefined],
      ['New devices', formatNumber(data.newDevices)],
      ['Sign-ups denied', formatNumber(data.signUpsDenied)],
      ['Open findings', formatNumber(data.openFindings), data.openFindings > 0 ? 'bad' : undefined],
    ];
    replace(
      list,
      ...items.map(([label, value, tone]) =>
        h(
          'div',
          { class: `counter${tone ? ` ${tone}` : ''}` },
          h('dt', {}, label),
          h('dd', {}, value),
        ),
      ),
    );
  });
}
