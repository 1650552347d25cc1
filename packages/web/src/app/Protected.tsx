// "What is protected": generated from the server's published data inventory (GET /v1/inventory, InventoryResponse of
// @sotto/protocol) — what it stores, table by table, and for how long; what it does not hold; what it holds outside its
// tables; the protocol facts — plus a fixed part about this browser. No claim about the server is written here by hand:
// without an inventory the page says that the server did not publish one.

import { type ReactNode, useEffect, useRef, useState } from 'react';
import type { InventoryResponse } from '@sotto/protocol';
import { type Lang, type StringKey, useLang, useT } from '../i18n/i18n.js';
import { fetchServerInfo, type ServerInfo } from './server-info.js';

// The page's view of @sotto/protocol's InventoryResponse (decoded by server-info.ts with the protocol's decoder).
type InventoryItem = InventoryResponse['items'][number];
type Retention = InventoryItem['retention'];

interface Inventory {
  version: string;
  items: InventoryItem[];
  notHeld: string[];
  elsewhere: string[];
  mls: string;
  ciphersuites: Array<{ id: number; name: string }>;
  facts: string[];
}

/** The inventory as this page shows it; undefined when the server said nothing about what it holds. */
export function inventoryView(r: InventoryResponse | undefined): Inventory | undefined {
  if (!r || (r.items.length === 0 && r.notHeld.length === 0)) return undefined;
  return {
    version: r.server.version,
    items: r.items,
    notHeld: r.notHeld,
    elsewhere: r.elsewhere,
    mls: r.protocol.mls,
    ciphersuites: r.protocol.ciphersuites,
    facts: r.protocol.facts,
  };
}

/** A duration in the largest whole unit, in the current language ("30 days", "30 jours"). */
function durationText(lang: Lang, seconds: number): string {
  const units: Array<['day' | 'hour' | 'minute', number]> = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (seconds >= size && seconds % size === 0)
      return new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'long' }).format(seconds / size);
  }
  if (seconds >= 86400)
    return new Intl.NumberFormat(lang, { style: 'unit', unit: 'day', unitDisplay: 'long', maximumFractionDigits: 1 }).format(
      seconds / 86400,
    );
  return new Intl.NumberFormat(lang, { style: 'unit', unit: 'second', unitDisplay: 'long' }).format(seconds);
}

const CATEGORY_NAMES: Record<string, StringKey> = {
  account: 'protected.cat.account',
  device: 'protected.cat.device',
  session: 'protected.cat.session',
  'key-package': 'protected.cat.keyPackage',
  'group-metadata': 'protected.cat.groupMetadata',
  'group-membership': 'protected.cat.groupMembership',
  'message-ciphertext': 'protected.cat.messageCiphertext',
  'delivery-queue': 'protected.cat.deliveryQueue',
  'attachment-ciphertext': 'protected.cat.attachmentCiphertext',
  'abuse-limits': 'protected.cat.abuseLimits',
  admin: 'protected.cat.admin',
};

type Translate = ReturnType<typeof useT>;

function retentionText(t: Translate, lang: Lang, r: Retention): string {
  const d = r.seconds !== undefined ? durationText(lang, r.seconds) : undefined;
  switch (r.kind) {
    case 'seconds':
      return d ? t('protected.ret.seconds', { d }) : t('protected.ret.other', { kind: r.kind });
    case 'until-delivered-or-seconds':
      return d ? t('protected.ret.untilDeliveredMax', { d }) : t('protected.ret.untilDelivered');
    case 'until-account-deleted':
      return t('protected.ret.untilAccountDeleted');
    case 'until-claimed-or-device-removed':
      return t('protected.ret.untilClaimed');
    case 'until-removed':
      return t('protected.ret.untilRemoved');
    case 'until-superseded':
      return t('protected.ret.untilSuperseded');
    case 'indefinite':
      return t('protected.ret.indefinite');
    default:
      return t('protected.ret.other', { kind: r.kind });
  }
}

const sameRetention = (a: Retention, b: Retention) => a.kind === b.kind && a.seconds === b.seconds;

/** `children`: what the signed-in app adds after the fixed parts (the operator's notices to this account). */
export function Protected({ children }: { children?: ReactNode } = {}) {
  const t = useT();
  const [info, setInfo] = useState<ServerInfo | undefined | 'loading'>('loading');
  useEffect(() => {
    let alive = true;
    void fetchServerInfo().then((i) => {
      if (alive) setInfo(i);
    });
    return () => {
      alive = false;
    };
  }, []);
  const inventory = info === 'loading' || info === undefined ? undefined : inventoryView(info.inventory);
  // The inventory arrives after the screen took focus (maybe on a part below it): keep what has focus in view.
  const root = useRef<HTMLElement>(null);
  useEffect(() => {
    const focused = document.activeElement;
    if (info !== 'loading' && focused instanceof HTMLElement && root.current?.contains(focused)) focused.scrollIntoView({ block: 'start' });
  }, [info]);

  return (
    <section ref={root} className="protected stack" aria-labelledby="protected-title" data-testid="protected">
      <h2 id="protected-title" tabIndex={-1}>
        {t('protected.title')}
      </h2>
      <p className="hint">{t('protected.intro')}</p>
      {info === 'loading' ? (
        <p aria-busy="true">{t('protected.loading')}</p>
      ) : inventory ? (
        <ServerPart inventory={inventory} />
      ) : (
        <section className="card stack" aria-labelledby="protected-server">
          <h3 id="protected-server">{t('protected.serverTitle')}</h3>
          <p role="alert" className="notice warn" data-testid="inventory-missing">
            {t('protected.noInventory')}
          </p>
        </section>
      )}
      <ThisBrowser />
      {children}
    </section>
  );
}

function ServerPart({ inventory }: { inventory: Inventory }) {
  const t = useT();
  const categories = new Map<string, InventoryItem[]>();
  for (const item of inventory.items) categories.set(item.category, [...(categories.get(item.category) ?? []), item]);
  return (
    <>
      {(inventory.mls || inventory.facts.length > 0 || inventory.ciphersuites.length > 0) && (
        <section className="card stack" aria-labelledby="protected-protocol" data-testid="protocol">
          <h3 id="protected-protocol">{t('protected.protocolTitle')}</h3>
          {inventory.mls && <p>{t('protected.mls', { mls: inventory.mls })}</p>}
          {inventory.ciphersuites.length > 0 && (
            <>
              <p>{t('protected.ciphersuites')}</p>
              <ul>
                {inventory.ciphersuites.map((c) => (
                  <li key={c.id}>
                    <code>{c.name}</code> (<code>0x{c.id.toString(16).padStart(4, '0')}</code>)
                  </li>
                ))}
              </ul>
            </>
          )}
          {inventory.facts.length > 0 && <Sentences list={inventory.facts} testid="protocol-facts" />}
        </section>
      )}

      <section className="card stack" aria-labelledby="protected-not-held" data-testid="not-held">
        <h3 id="protected-not-held">{t('protected.notHeldTitle')}</h3>
        {inventory.notHeld.length === 0 ? <p>{t('protected.listsNothing')}</p> : <Sentences list={inventory.notHeld} />}
      </section>

      <section className="card stack" aria-labelledby="protected-server" data-testid="inventory">
        <h3 id="protected-server">{t('protected.serverTitle')}</h3>
        <p className="hint">
          {t('protected.serverIntro')}
          {inventory.version && <> {t('protected.serverVersion', { version: inventory.version })}</>}
        </p>
        {[...categories].map(([category, items]) => (
          <Category key={category} category={category} items={items} />
        ))}
      </section>

      {inventory.elsewhere.length > 0 && (
        <section className="card stack" aria-labelledby="protected-elsewhere" data-testid="elsewhere">
          <h3 id="protected-elsewhere">{t('protected.elsewhereTitle')}</h3>
          <Sentences list={inventory.elsewhere} />
        </section>
      )}
    </>
  );
}

/** Sentences as the server wrote them (in English). */
function Sentences({ list, testid }: { list: string[]; testid?: string }) {
  return (
    <ul lang="en" data-testid={testid}>
      {list.map((s, i) => (
        <li key={i}>{s}</li>
      ))}
    </ul>
  );
}

/** One category: its tables, each with what the table stands for and its columns, and how long each is kept. */
function Category({ category, items }: { category: string; items: InventoryItem[] }) {
  const t = useT();
  const key = CATEGORY_NAMES[category];
  const tables = new Map<string, { whole?: InventoryItem; columns: InventoryItem[] }>();
  for (const item of items) {
    const entry = tables.get(item.table) ?? { columns: [] };
    if (item.column === undefined) entry.whole = item;
    else entry.columns.push(item);
    tables.set(item.table, entry);
  }
  const id = `inv-${category}`;
  return (
    <section className="stack" aria-labelledby={id} data-testid="inventory-category" data-category={category}>
      <h4 id={id}>{key ? t(key) : category}</h4>
      <ul>
        {[...tables].map(([table, { whole, columns }]) => (
          <li key={table} data-testid="inventory-table" data-table={table}>
            <code>{table}</code>
            {whole && <Entry item={whole} />}
            {columns.length > 0 && (
              <ul>
                {columns.map((c) => (
                  <li key={c.column} data-testid="inventory-item" data-table={table} data-column={c.column}>
                    <code>{c.column}</code>
                    <Entry item={c} showRetention={!whole || !sameRetention(whole.retention, c.retention)} />
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Entry({ item, showRetention = true }: { item: InventoryItem; showRetention?: boolean }) {
  const t = useT();
  const lang = useLang();
  return (
    <>
      {': '}
      <span lang="en">{item.what}</span>
      {showRetention && (
        <>
          {' '}
          <span className="retention" data-kind={item.retention.kind}>
            ({retentionText(t, lang, item.retention)})
          </span>
        </>
      )}
      {item.aboutAccount && (
        <>
          {' '}
          <span className="tag">{t('protected.aboutAccount')}</span>
        </>
      )}
    </>
  );
}

function ThisBrowser() {
  const t = useT();
  return (
    <section className="card stack" aria-labelledby="protected-browser" data-testid="this-browser">
      <h3 id="protected-browser">{t('protected.browserTitle')}</h3>
      <ul>
        <li>{t('protected.browserStored')}</li>
        <li>{t('protected.browserKey')}</li>
        <li>{t('protected.browserProfile')}</li>
        <li>{t('protected.browserWipe')}</li>
      </ul>
    </section>
  );
}
