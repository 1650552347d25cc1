// TEMPORARY until @sotto/client/browser's browser-key lands: the store key wrapped by a non-extractable AES-GCM key
// kept in IndexedDB. No passphrase support here.
import { StorageKey } from '@sotto/client';

type Rec = { wrapKey: CryptoKey; iv: Uint8Array; wrapped: ArrayBuffer };

function idb<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((res, rej) => {
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
}
async function db(name: string): Promise<IDBDatabase> {
  const r = indexedDB.open(`${name}-key`, 1);
  r.onupgradeneeded = () => r.result.createObjectStore('k');
  return idb(r);
}
async function read(name: string): Promise<Rec | undefined> {
  const d = await db(name);
  return (await idb(d.transaction('k').objectStore('k').get('key'))) as Rec | undefined;
}
export async function profileKeyState(name: string): Promise<'none' | 'device-key' | 'passphrase'> {
  return (await read(name)) ? 'device-key' : 'none';
}
export async function openStoreKey(name: string, _passphrase?: string): Promise<StorageKey> {
  const rec = await read(name);
  if (rec) {
    const raw = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: rec.iv as BufferSource }, rec.wrapKey, rec.wrapped);
    return new StorageKey(new Uint8Array(raw));
  }
  const wrapKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const wrapped = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, wrapKey, raw);
  const d = await db(name);
  const tx = d.transaction('k', 'readwrite');
  tx.objectStore('k').put({ wrapKey, iv, wrapped } satisfies Rec, 'key');
  await new Promise((res, rej) => {
    tx.oncomplete = res;
    tx.onerror = rej;
  });
  return new StorageKey(raw);
}
export async function deleteProfile(name: string, storeDb: string): Promise<void> {
  await idb(indexedDB.deleteDatabase(`${name}-key`));
  await idb(indexedDB.deleteDatabase(storeDb));
}
