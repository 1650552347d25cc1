// Runs SQLite WAL checkpoints on a worker thread, so their disk flushes never stall the event loop of
// the server (the main connection has wal_autocheckpoint = 0). Plain JS: workers do not load tsx.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy: the next tick tries again
  }
}, workerData.intervalMs);

parentPort.on('message', (m) => {
  if (m === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
