// Entry point of the page: one active tab per device (Web Locks), then the app. The worker starts only in the tab
// that holds the lock; another tab says so and can take over. Under /admin the operator's moderation screen loads
// instead, as its own chunk: it takes no lock and starts no worker.
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { OtherTab } from './app/OtherTab.js';
import { I18nProvider, initialLang } from './i18n/i18n.js';
import { applyTheme, savedTheme } from './ui/theme.js';
import './ui/app.css';

const LOCK = 'sotto-device';
const root = createRoot(document.getElementById('root')!);
applyTheme(savedTheme());
const lang = () => initialLang(localStorage.getItem('sotto.lang'));

function render(node: React.ReactNode) {
  root.render(<I18nProvider lang={lang()}>{node}</I18nProvider>);
}

function run(steal: boolean) {
  void navigator.locks
    .request(LOCK, steal ? { steal: true } : { ifAvailable: true }, async (lock) => {
      if (!lock) {
        render(<OtherTab onTakeOver={() => run(true)} />);
        return;
      }
      render(<App />);
      // Held while the page lives; released when the tab closes or another tab takes over.
      await new Promise<never>(() => {});
    })
    .catch(() => {
      // Another tab took the lock over: this one stops (the worker goes with the page).
      location.reload();
    });
}

/** The operator's moderation screen: loaded on demand so that the messenger's first screen does not carry it. */
async function admin() {
  const { AdminApp } = await import('./admin/AdminApp.js');
  render(<AdminApp />);
}

if (/^\/admin(\/|$)/.test(location.pathname)) void admin();
else run(false);
