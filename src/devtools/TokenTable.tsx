import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { CopyFormat } from '../core/copy-formats.ts';
import type { PanelSite, Validity } from '../core/messages.ts';
import type { Reveal } from '../core/token.ts';
import type { TokenRow } from '../core/token-rows.ts';
import { secondsLeft, useClock } from '../ui/RevealCard.tsx';
import type { PanelConnection } from './connection.ts';
import { t, type MessageKey } from '../core/i18n.ts';
import { focusOnMount } from '../ui/focus.ts';

/** Rows are one line each, so the visible slice follows from the scroll position alone. */
const ROW_HEIGHT = 34;
/** Rows rendered beyond each edge, so fast scrolling does not show blanks. */
const OVERSCAN = 10;

type Column = 'name' | 'where' | 'createdAt' | 'expiresAt' | 'lastUsedAt' | 'scopes';
const COLUMNS: [Column, MessageKey][] = [
  ['name', 'panel_colName'],
  ['where', 'panel_colWhere'],
  ['createdAt', 'panel_colCreated'],
  ['expiresAt', 'panel_colExpires'],
  ['lastUsedAt', 'panel_colLastUsed'],
  ['scopes', 'panel_colScopes'],
];

// curl and .env are names, the same in every language.
const FORMAT_LABELS: Record<CopyFormat, string> = { raw: t('panel_formatRaw'), header: t('panel_formatHeader'), curl: 'curl', env: '.env' };
const WHERE: Record<TokenRow['where'], MessageKey> = { site: 'panel_whereSite', vault: 'panel_whereVault', both: 'panel_whereBoth' };
const VALIDITY: Record<Validity, MessageKey> = { valid: 'panel_valid', invalid: 'panel_invalid', expired: 'panel_expired' };

interface Props {
  rows: TokenRow[];
  site: PanelSite;
  request: PanelConnection['request'];
  /** What identifies the tab and site in every row request. */
  row: { tabId: number; origin: string; siteId: string };
  /** The site's list changed (a revoke): fetch it again. */
  onChanged: () => void;
  onReveal: (reveal: Reveal) => void;
}

/** What one row is doing: asking to confirm, working, or telling a result. */
interface RowStatus {
  asking?: 'revoke' | 'regenerate' | 'copy';
  busy?: boolean;
  note?: string;
  /** Copied through the background in this format; the clipboard clears at `clearsAt` (epoch ms), null never. */
  copied?: { label: string; clearsAt: number | null };
  /** The button to focus when the row's usual buttons come back: the one whose confirm, choice or work just ended. */
  focus?: 'revoke' | 'verify' | 'regenerate' | 'copy';
}

/** What the Status cell says: a result, or the copy and its countdown (only the latest copy counts down). */
function statusText(said: RowStatus, time: number): string {
  const { copied } = said;
  if (!copied) return said.note ?? '';
  if (copied.clearsAt === null) return t('panel_copiedAs', copied.label);
  if (time < copied.clearsAt) return t('panel_copiedAsClears', copied.label, secondsLeft(copied.clearsAt, time));
  return t('panel_copiedAsCleared', copied.label);
}

/** "12 tokens", or "3 of 12 tokens" while a filter hides some. */
function count(shown: number, total: number): string {
  if (shown < total) return t('panel_countFiltered', shown, total);
  return total === 1 ? t('panel_countOne') : t('panel_count', total);
}

function cell(row: TokenRow, column: Column): string {
  if (column === 'scopes') return row.scopes?.join(' ') ?? '';
  // Sorted and filtered by the word shown.
  if (column === 'where') return t(WHERE[row.where]);
  return row[column] ?? '';
}

function sorted(rows: TokenRow[], column: Column, direction: 1 | -1): TokenRow[] {
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  return [...rows].sort((a, b) => direction * collator.compare(cell(a, column), cell(b, column)));
}

function matches(row: TokenRow, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  return !needle || COLUMNS.some(([column]) => cell(row, column).toLowerCase().includes(needle));
}

/** A date cell: the day, with the exact time on hover. */
function When({ value }: { value: string | undefined }) {
  const time = value ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) return <td>{value ?? ''}</td>;
  const exact = new Date(time).toISOString();
  return <td title={exact}>{exact.slice(0, 10)}</td>;
}

export function TokenTable({ rows, site, request, row: target, onChanged, onReveal }: Props) {
  const [filter, setFilter] = useState('');
  const [order, setOrder] = useState<{ column: Column; direction: 1 | -1 }>({ column: 'name', direction: 1 });
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(480);
  const [status, setStatus] = useState<Record<string, RowStatus>>({});
  const scroller = useRef<HTMLDivElement>(null);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setViewport(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const shown = useMemo(
    () => sorted(rows.filter((row) => matches(row, filter)), order.column, order.direction),
    [rows, filter, order],
  );
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(shown.length, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);

  const set = (key: string, next: RowStatus) => setStatus((all) => ({ ...all, [key]: next }));
  // The clipboard holds one thing: the newest copy is the only one with a countdown.
  const clearsAt = Math.max(0, ...Object.values(status).map((row) => row.copied?.clearsAt ?? 0)) || null;
  const now = useClock(clearsAt);

  async function act(row: TokenRow, action: 'revoke' | 'verify' | 'regenerate') {
    set(row.key, { busy: true });
    // A vault-only row carries the site's id of the token as minted: where the site cannot list tokens (or its list
    // failed), the revoke must still reach the site. Every adapter takes a token the site no longer has as revoked.
    const payload = { ...target, tokenId: row.tokenId ?? '', keptId: row.keptId ?? '' };
    if (action === 'revoke') {
      const reply = await request('revoke', payload);
      // The row goes with the refreshed list; an error stays on it with the reason.
      if (reply.ok) return onChanged();
      return set(row.key, { note: `${reply.error.sentence} ${reply.error.next}`, focus: action });
    }
    if (action === 'verify') {
      const reply = await request('verify', { ...payload, expiresAt: row.expiresAt ?? '' });
      const note = reply.ok
        ? reply.value.user
          ? t('panel_validAs', reply.value.user)
          : t(VALIDITY[reply.value.validity])
        : reply.error.sentence;
      return set(row.key, { note, focus: action });
    }
    const reply = await request('regenerate', payload);
    if (reply.ok) return onReveal(reply.value);
    set(row.key, { note: `${reply.error.sentence} ${reply.error.next}`, focus: action });
  }

  async function copy(row: TokenRow, format: CopyFormat) {
    const reply = await request('copy-as', { keptId: row.keptId ?? '', format });
    if (!reply.ok) return set(row.key, { note: reply.error.sentence, focus: 'copy' });
    const copied = { label: FORMAT_LABELS[format], clearsAt: reply.value.clearsAt };
    // An earlier copy elsewhere is no longer on the clipboard: its row just says it was copied.
    setStatus((all) => ({
      ...Object.fromEntries(
        Object.entries(all).map(([key, was]) => [key, was.copied ? { copied: { ...was.copied, clearsAt: null } } : was]),
      ),
      [row.key]: { copied, focus: 'copy' },
    }));
  }

  /** Ends a confirm or a choice without acting (Cancel, or Escape), back on the button that opened it. */
  function cancel(row: TokenRow) {
    const { asking } = status[row.key] ?? {};
    if (asking) set(row.key, { focus: asking });
    return Boolean(asking);
  }

  function actions(row: TokenRow) {
    const now = status[row.key] ?? {};
    if (now.busy) return <span class="muted">{t('panel_working')}</span>;
    // Keyed, so each state's buttons are new elements and the focus refs below run when they show.
    const cancelButton = (
      <button type="button" key="cancel" onClick={() => cancel(row)}>
        {t('panel_cancel')}
      </button>
    );
    if (now.asking === 'copy') {
      return (
        <>
          {site.copyFormats.map((format, index) => (
            <button type="button" key={format} ref={index === 0 ? focusOnMount : undefined} onClick={() => void copy(row, format)}>
              {FORMAT_LABELS[format]}
            </button>
          ))}
          {cancelButton}
        </>
      );
    }
    if (now.asking) {
      return (
        <>
          <button type="button" key="confirm" class="danger" ref={focusOnMount} onClick={() => void act(row, now.asking as 'revoke' | 'regenerate')}>
            {now.asking === 'revoke' ? t('panel_confirmRevoke') : t('panel_confirmRegenerate')}
          </button>
          {cancelButton}
        </>
      );
    }
    const back = (action: RowStatus['focus']) => (now.focus === action ? focusOnMount : undefined);
    return (
      <>
        <button type="button" key="revoke" ref={back('revoke')} onClick={() => set(row.key, { asking: 'revoke' })}>
          {t('panel_revoke')}
        </button>
        {row.keptId && (
          <button type="button" key="verify" ref={back('verify')} onClick={() => void act(row, 'verify')}>
            {t('panel_verify')}
          </button>
        )}
        {row.keptId && (
          <button type="button" key="copy" ref={back('copy')} onClick={() => set(row.key, { asking: 'copy' })}>
            {t('panel_copyAs')}
          </button>
        )}
        {site.canRegenerate && row.where !== 'vault' && (
          <button type="button" key="regenerate" ref={back('regenerate')} onClick={() => set(row.key, { asking: 'regenerate' })}>
            {t('panel_regenerate')}
          </button>
        )}
      </>
    );
  }

  return (
    <div class="tokens">
      <div class="toolbar">
        <label>
          {t('panel_filter')} <input type="search" value={filter} onInput={(event) => setFilter(event.currentTarget.value)} />
        </label>
        <span class="muted" role="status">
          {count(shown.length, rows.length)}
        </span>
      </div>
      <div class="scroller" ref={scroller} onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}>
        <table aria-rowcount={shown.length + 1}>
          <colgroup>
            {[12, 6, 8, 8, 8, 10, 8, 10, 30].map((percent, index) => (
              <col key={index} style={{ width: `${percent}%` }} />
            ))}
          </colgroup>
          <thead>
            <tr>
              {COLUMNS.map(([column, label]) => {
                const active = order.column === column;
                const sort = active ? (order.direction === 1 ? 'ascending' : 'descending') : 'none';
                const toggle = () => setOrder({ column, direction: active ? (-order.direction as 1 | -1) : 1 });
                return (
                  <th key={column} aria-sort={sort}>
                    <button type="button" class="sort" onClick={toggle}>
                      {t(label)}
                    </button>
                  </th>
                );
              })}
              <th>{t('panel_colSecret')}</th>
              <th>{t('panel_colStatus')}</th>
              <th>{t('panel_colActions')}</th>
            </tr>
          </thead>
          <tbody>
            {/* Spacers stand in for the rows out of view; hidden, so they are no rows to assistive tech. */}
            {first > 0 && <tr aria-hidden="true" style={{ height: `${first * ROW_HEIGHT}px` }} />}
            {shown.slice(first, last).map((row, offset) => (
              <tr key={row.key} aria-rowindex={first + offset + 2} style={{ height: `${ROW_HEIGHT}px` }}>
                <td title={row.name}>{row.name}</td>
                <td>{cell(row, 'where')}</td>
                <When value={row.createdAt} />
                <When value={row.expiresAt} />
                <When value={row.lastUsedAt} />
                <td title={cell(row, 'scopes')}>{cell(row, 'scopes')}</td>
                <td class="mono">{row.preview ?? ''}</td>
                <td title={statusText(status[row.key] ?? {}, now)}>{statusText(status[row.key] ?? {}, now)}</td>
                <td
                  class="actions-cell"
                  onKeyDown={(event) => {
                    // Handled here only: DevTools would also take an Escape that reaches its document (its drawer).
                    if (event.key === 'Escape' && cancel(row)) event.stopPropagation();
                  }}
                >
                  {actions(row)}
                </td>
              </tr>
            ))}
            {last < shown.length && <tr aria-hidden="true" style={{ height: `${(shown.length - last) * ROW_HEIGHT}px` }} />}
          </tbody>
        </table>
      </div>
    </div>
  );
}
