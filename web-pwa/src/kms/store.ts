// The enclave's IndexedDB: topic secrets as non-extractable HKDF keys, the VAPID key pair.
// Only the KMS origin can open it; the app's origin has its own, separate storage.

export interface StoredTopic {
  tag: string;
  kind: 'public' | 'private';
  label: string;
  secret: CryptoKey;
  invite?: string;
}

const DB = 'ats-kms';

let opened: Promise<IDBDatabase> | undefined;

/** One connection for the worker's life (opening one per request made each ping cost a round trip). */
function database(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore('topics', { keyPath: 'tag' });
      request.result.createObjectStore('keys');
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => {
      opened = undefined;
      reject(request.error);
    };
  });
  return opened;
}

async function run<T>(store: string, mode: IDBTransactionMode, work: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await database();
  return new Promise<T>((resolve, reject) => {
    const request = work(db.transaction(store, mode).objectStore(store));
    request.onsuccess = () => resolve(request.result as T);
    request.onerror = () => reject(request.error);
  });
}

export const topics = {
  all: () => run<StoredTopic[]>('topics', 'readonly', (s) => s.getAll()),
  get: (tag: string) => run<StoredTopic | undefined>('topics', 'readonly', (s) => s.get(tag)),
  put: (topic: StoredTopic) => run<unknown>('topics', 'readwrite', (s) => s.put(topic)),
  remove: (tag: string) => run<unknown>('topics', 'readwrite', (s) => s.delete(tag)),
};

export const keys = {
  get: (name: string) => run<CryptoKeyPair | undefined>('keys', 'readonly', (s) => s.get(name)),
  put: (name: string, pair: CryptoKeyPair) => run<unknown>('keys', 'readwrite', (s) => s.put(pair, name)),
};
