/** Top failure reasons, users, IPs, countries and app clients of the range; a value filters the page. */
import { DIMENSIONS, type Dimension } from '../api.js';
import { byId, h, replace } from '../dom.js';
import type { Filters } from '../filters.js';
import { formatNumber } from '../format.js';
import type { Store } from '../store.js';

const TITLES: Record<Dimension, string> = {
  reason: 'Top failure reasons',
  user: 'Top users',
  ip: 'Top IP addresses',
  country: 'Top countries',
  client: 'Top app clients',
};
const COLUMN: Record<Dimension, string> = {
  reason: 'Reason',
  user: 'User',
  ip: 'IP address',
  country: 'Country',
  client: 'App client',
};
const FILTER_OF: Partial<Record<Dimension, 'user' | 'ip' | 'client'>> = {
  user: 'user',
  ip: 'ip',
  client: 'client',
};

export function mountTops(store: Store, apply: (filters: Filters) => void): void {
  const holder = byId('tops');
  const boxes = new Map<Dimension, HTMLElement>();
  replace(
    holder,
    ...DIMENSIONS.map((dimension) => {
      const box = h('div', { class: 'top-box', 'aria-busy': 'false' });
      boxes.set(dimension, box);
      return h(
        'section',
        { class: 'top', 'aria-labelledby': `top-${dimension}-title` },
        h('h3', { id: `top-${dimension}-title` }, TITLES[dimension]),
        box,
      );
    }),
  );
  store.on('tops', (tops) => {
    for (const dimension of DIMENSIONS) {
      const box = boxes.get(dimension)!;
      const { data, loading, error } = tops[dimension];
      box.setAttribute('aria-busy', String(loading));
      if (error) {
        replace(box, h('p', { class: 'message error' }, error));
        continue;
      }
      if (!data) continue;
      if (data.length === 0) {
        replace(box, h('p', { class: 'empty' }, 'Nothing in this range.'));
        continue;
      }
      const filterName = FILTER_OF[dimension];
      replace(
        box,
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, COLUMN[dimension]),
              h('th', { scope: 'col' }, 'Failures'),
              h('th', { scope: 'col' }, 'Events'),
            ),
          ),
          h(
            'tbody',
            {},
            ...data.map((item) =>
              h(
                'tr',
                {},
                h(
                  'td',
                  {},
                  filterName
                    ? h(
                        'button',
                        {
                          type: 'button',
                          class: 'link',
                          title: `Show only ${item.key}`,
                          onclick: () => apply({ ...store.get().filters, [filterName]: item.key }),
                        },
                        item.key,
                      )
                    : item.key,
                ),
                h('td', { class: 'num' }, formatNumber(item.failures)),
                h('td', { class: 'num' }, formatNumber(item.events)),
              ),
            ),
          ),
        ),
      );
    }
  });
}
