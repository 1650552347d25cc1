// A byte-progress bar on stderr (only drawn on a terminal; silent otherwise so scripts get clean output).

export class ProgressBar {
  readonly #label: string;
  readonly #total: number;
  readonly #stream: NodeJS.WriteStream;
  #done = 0;
  #lastDraw = 0;

  constructor(label: string, total: number, stream: NodeJS.WriteStream = process.stderr) {
    this.#label = label;
    this.#total = Math.max(1, total);
    this.#stream = stream;
  }

  add(bytes: number): void {
    this.#done = Math.min(this.#total, this.#done + bytes);
    const now = Date.now();
    if (now - this.#lastDraw >= 100 || this.#done === this.#total) {
      this.#lastDraw = now;
      this.#draw();
    }
  }

  finish(): void {
    this.#done = this.#total;
    this.#draw();
    if (this.#stream.isTTY) this.#stream.write('\n');
  }

  #draw(): void {
    if (!this.#stream.isTTY) return;
    const width = 30;
    const frac = this.#done / this.#total;
    const filled = Math.round(frac * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    this.#stream.write(
      `\r${this.#label} ${bar} ${String(Math.floor(frac * 100)).padStart(3)}% ${formatBytes(this.#done)}/${formatBytes(this.#total)}`,
    );
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
