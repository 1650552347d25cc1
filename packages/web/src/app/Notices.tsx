// Notices from this device's own checks (a contact's key changed, a device appeared or went, a refused commit, a
// message dropped because its franking did not verify). They stay until the user dismisses them; no server answer can
// remove them.

import { useT } from '../i18n/i18n.js';
import { useSession } from './session.js';

export function Notices({ onOpen }: { onOpen: (conversationId: string) => void }) {
  const t = useT();
  const { state, dismissNotice } = useSession();
  if (state.prefs.notices.length === 0) return null;
  return (
    <section className="notices" aria-label={t('notice.title')}>
      {state.prefs.notices.map((n) => (
        <div key={n.id} className="notice warn" role="status" data-testid="notice" data-kind={n.kind}>
          <span>
            {n.kind === 'key-change' && t('notice.keyChanged', { account: n.account })}
            {n.kind === 'device-added' && t('notice.deviceAdded', { account: n.account, device: n.detail ?? '' })}
            {n.kind === 'device-removed' && t('notice.deviceRemoved', { account: n.account, device: n.detail ?? '' })}
            {n.kind === 'security' &&
              (n.detail === 'FRANKING_INVALID'
                ? t('notice.frankingInvalid', { account: n.account })
                : t('notice.security', { account: n.account, code: n.detail ?? '' }))}
          </span>
          {n.conversationId && (
            <button type="button" onClick={() => onOpen(n.conversationId!)}>
              {t('notice.open')}
            </button>
          )}
          <button type="button" onClick={() => void dismissNotice(n.id)} data-testid="dismiss-notice">
            {t('notice.dismiss')}
          </button>
        </div>
      ))}
    </section>
  );
}
