// A camera for Chromium's fake capture device: a Y4M video whose every frame shows one QR code, so that the app's
// scanner reads a real image through getUserMedia (--use-file-for-fake-video-capture). Chromium opens the file when
// capture starts, so a test may write it after the browser started.
import { writeFileSync } from 'node:fs';
import qrcode from 'qrcode-generator';

const SIZE = 480;
const FRAMES = 2;

/** Chromium flags that make getUserMedia answer with the video in `file` and grant the camera without asking. */
export function fakeCameraArgs(file: string): string[] {
  return ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${file}`];
}

/** Writes a 4:2:0 Y4M video showing `text` as a QR code, black on white, centred. */
export function writeQrVideo(file: string, text: string): void {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const cell = Math.floor(SIZE / (n + 8));
  const offset = Math.floor((SIZE - cell * n) / 2);
  const luma = Buffer.alloc(SIZE * SIZE, 235);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) {
      if (!qr.isDark(r, c)) continue;
      for (let y = 0; y < cell; y++)
        luma.fill(16, (offset + r * cell + y) * SIZE + offset + c * cell, (offset + r * cell + y) * SIZE + offset + (c + 1) * cell);
    }
  const chroma = Buffer.alloc((SIZE / 2) * (SIZE / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${SIZE} H${SIZE} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(file, Buffer.concat([header, ...Array.from({ length: FRAMES }, () => frame)]));
}
