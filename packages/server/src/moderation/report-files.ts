// Decrypted attachments of reports on disk: <dataDir>/reports/<report id>/<n>, directories 0700 and files 0600, so no
// other local user reads them; retention deletes a report's directory (moderation-service.ts).
import { createWriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makePrivateDir } from '../storage/file-modes.js';

const SAFE = /^[A-Za-z0-9_-]{1,64}$/;

export class ReportFiles {
  constructor(readonly dir: string) {}

  private path(reportId: string, name?: string): string {
    if (!SAFE.test(reportId) || (name !== undefined && !SAFE.test(name))) throw new RangeError('bad report file name');
    return name === undefined ? join(this.dir, reportId) : join(this.dir, reportId, name);
  }

  /** A write stream for a new file of the report (created with mode 0600). */
  create(reportId: string, name: string): NodeJS.WritableStream & { close(cb?: () => void): void } {
    makePrivateDir(this.path(reportId));
    return createWriteStream(this.path(reportId, name), { mode: 0o600, flags: 'wx' });
  }

  read(reportId: string, name: string): Promise<Uint8Array> {
    return readFile(this.path(reportId, name)).then((b) => new Uint8Array(b));
  }

  async remove(reportId: string, name: string): Promise<void> {
    await rm(this.path(reportId, name), { force: true });
  }

  async removeReport(reportId: string): Promise<void> {
    await rm(this.path(reportId), { recursive: true, force: true });
  }
}
