// @sotto/client/browser entry point: browser-only parts (the IndexedDB store, the WebCrypto-wrapped storage key). Import portable parts from '@sotto/client'.

export {
  BROWSER_KEY_FORMAT_VERSION,
  type BrowserKeyOptions,
  type BrowserKeyState,
  browserKeyDatabaseName,
  browserKeyState,
  DEFAULT_PBKDF2_ITERATIONS,
  deleteBrowserProfile,
  openBrowserStorageKey,
} from './browser-key.js';
export { IndexedDbBackend, openIndexedDbStore } from './indexeddb-store.js';
