import type { FieldError } from '@plinth/sdk';
import type { ItemChange, PackageSection } from '../packages/packages';
import { differences } from '../packages/format';
import type { Menus } from './menus';
import { MENU_KEY, menuOverlays, overlayBodyErrors, overlayOf, type MenuOverlay } from './overlays';

const dataOf = (o: MenuOverlay): Record<string, unknown> => ({ ...(o.label ? { label: o.label } : {}), ...(o.order !== undefined ? { order: o.order } : {}), ...(o.hidden !== undefined ? { hidden: o.hidden } : {}) });

/**
 * Menu overlays in configuration packages, keyed by entry key. An overlay may name an
 * entry this instance does not have (yet): it is kept, and applies once the entry is there.
 */
export function menuOverlaySection(menus: Menus): PackageSection {
  return {
    name: 'menuOverlays',
    async export() {
      return (await menuOverlays.all(menus.db)).map((o) => ({ key: o.key, data: dataOf(o) }));
    },
    async plan(items) {
      const errors: FieldError[] = [];
      const changes: ItemChange[] = [];
      const writes: { key: string; overlay: MenuOverlay }[] = [];
      const current = new Map((await menuOverlays.all(menus.db)).map((o) => [o.key, dataOf(o)]));
      for (const [i, item] of items.entries()) {
        const at = `sections.menuOverlays[${i}]`;
        if (!MENU_KEY.test(item.key)) errors.push({ field: `${at}.key`, rule: 'pattern', message: `"${item.key}" is not a menu key` });
        const { version: _v, ...body } = (item.data ?? {}) as Record<string, unknown>;
        const problems = overlayBodyErrors(body, `${at}.data`);
        if (problems.length) {
          errors.push(...problems);
          continue;
        }
        const overlay = overlayOf(body);
        const before = current.get(item.key);
        const diff = before ? differences(before, dataOf(overlay)) : undefined;
        changes.push({ section: 'menuOverlays', key: item.key, action: !before ? 'create' : diff ? 'update' : 'unchanged', ...(diff ? { changes: diff } : {}) });
        if (!before || diff) writes.push({ key: item.key, overlay });
      }
      return {
        changes,
        errors,
        apply: async (tx) => {
          for (const w of writes) await menuOverlays.put(tx, w.key, w.overlay, null);
          if (writes.length) {
            tx.afterCommit(() => {
              menus.invalidate();
              void menus.announce().catch(() => undefined);
            });
          }
        },
      };
    },
  };
}
