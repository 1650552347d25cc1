// Shown in a tab that does not hold this device's lock: Sotto runs in one tab at a time per browser profile.
import { useT } from '../i18n/i18n.js';

export function OtherTab({ onTakeOver }: { onTakeOver: () => void }) {
  const t = useT();
  return (
    <main className="center">
      <h1>{t('otherTab.title')}</h1>
      <p>{t('otherTab.body')}</p>
      <button type="button" onClick={onTakeOver}>
        {t('otherTab.takeOver')}
      </button>
    </main>
  );
}
