// Draws a QR code in the terminal with half-block characters: two module rows per text line.

import qrcode from 'qrcode-generator';

const QUIET = 2;

/** The QR code of `text` as lines of '█', '▀', '▄' and spaces (dark modules drawn light-on-dark friendly: inverted). */
export function renderQr(text: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  // Terminals are usually light text on a dark background, so "light" modules are drawn as blocks.
  const light = (r: number, c: number) => r < 0 || c < 0 || r >= n || c >= n || !qr.isDark(r, c);
  const lines: string[] = [];
  for (let r = -QUIET; r < n + QUIET; r += 2) {
    let line = '';
    for (let c = -QUIET; c < n + QUIET; c++) {
      const top = light(r, c);
      const bottom = r + 1 < n + QUIET ? light(r + 1, c) : false;
      line += top && bottom ? '█' : top ? '▀' : bottom ? '▄' : ' ';
    }
    lines.push(line);
  }
  return lines.join('\n');
}
