// Camera QR scanning: the rear camera into a <video>, frames decoded by the browser's BarcodeDetector when it has one,
// else by jsQR on the frame's pixels. The camera runs only while scanning: its tracks stop on success, Stop and unmount.

import { useEffect, useRef, useState } from 'react';
import { useT } from '../i18n/i18n.js';

/** The part of the Barcode Detection API used here (not in TypeScript's DOM library yet). */
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<Array<{ rawValue: string }>>;
}
type BarcodeDetectorCtor = new (o: { formats: string[] }) => BarcodeDetectorLike;

type Status = 'idle' | 'starting' | 'scanning' | 'no-camera' | 'denied' | 'insecure' | 'failed';

/** Pause between two decoding attempts (ms). */
const FRAME_INTERVAL_MS = 150;
/** Frames are scaled down to at most this width before jsQR reads them. */
const MAX_DECODE_WIDTH = 640;

type Decoder = (video: HTMLVideoElement) => Promise<string | undefined>;

function makeDecoder(): Decoder {
  if ('BarcodeDetector' in window) {
    const Ctor = (window as unknown as { BarcodeDetector: BarcodeDetectorCtor }).BarcodeDetector;
    try {
      const detector = new Ctor({ formats: ['qr_code'] });
      return async (video) => (await detector.detect(video))[0]?.rawValue || undefined;
    } catch {
      // A BarcodeDetector without QR support: fall through to jsQR.
    }
  }
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  // jsQR is fetched only when a scan needs it (it stays out of the first screen's bundle).
  const jsQRLoaded = import('jsqr').then((m) => m.default);
  return async (video) => {
    const jsQR = await jsQRLoaded;
    if (!ctx || video.videoWidth === 0) return undefined;
    const scale = Math.min(1, MAX_DECODE_WIDTH / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const code = jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' });
    return code?.data || undefined;
  };
}

function failureStatus(e: unknown): Status {
  const name = (e as { name?: unknown }).name;
  if (name === 'NotAllowedError' || name === 'PermissionDeniedError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'no-camera';
  if (name === 'SecurityError') return 'insecure';
  return 'failed';
}

export function QrScanner({ onResult, label }: { onResult(text: string): void; label: string }) {
  const t = useT();
  const [active, setActive] = useState(false);
  const [status, setStatus] = useState<Status>('idle');
  const videoRef = useRef<HTMLVideoElement>(null);
  const onResultRef = useRef(onResult);
  onResultRef.current = onResult;

  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      stream?.getTracks().forEach((track) => track.stop());
      stream = undefined;
    };
    const fail = (s: Status) => {
      stop();
      setStatus(s);
      setActive(false);
    };

    void (async () => {
      if (!window.isSecureContext) return fail('insecure');
      if (!navigator.mediaDevices?.getUserMedia) return fail('no-camera');
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      } catch (e) {
        if (!stopped) fail(failureStatus(e));
        return;
      }
      const video = videoRef.current;
      if (stopped || !video) return stop();
      video.srcObject = stream;
      video.muted = true;
      video.playsInline = true;
      try {
        await video.play();
      } catch {
        // Autoplay refused: frames still arrive for decoding once the stream is attached.
      }
      if (stopped) return;
      setStatus('scanning');
      const decode = makeDecoder();
      const tick = async () => {
        if (stopped) return;
        const text = await decode(video).catch(() => undefined);
        if (stopped) return;
        if (text) {
          stop();
          setStatus('idle');
          setActive(false);
          onResultRef.current(text);
          return;
        }
        timer = setTimeout(() => void tick(), FRAME_INTERVAL_MS);
      };
      await tick();
    })();
    return stop;
  }, [active]);

  const problem =
    status === 'denied'
      ? t('scanner.denied')
      : status === 'no-camera'
        ? t('scanner.noCamera')
        : status === 'insecure'
          ? t('scanner.insecure')
          : status === 'failed'
            ? t('scanner.failed')
            : '';

  return (
    <div className="qr-scanner stack" role="group" aria-label={label}>
      {!active && (
        <button
          type="button"
          data-testid="scanner-start"
          onClick={() => {
            setStatus('starting');
            setActive(true);
          }}
        >
          {problem ? t('scanner.retry') : label}
        </button>
      )}
      {problem && (
        <p role="alert" className="error" data-testid="scanner-error">
          {problem}
        </p>
      )}
      {active && (
        <>
          <video ref={videoRef} className="qr-video" aria-label={t('scanner.video')} muted playsInline />
          <p role="status" className="hint">
            {status === 'scanning' ? t('scanner.scanning') : t('scanner.starting')}
          </p>
          <button
            type="button"
            data-testid="scanner-stop"
            onClick={() => {
              setStatus('idle');
              setActive(false);
            }}
          >
            {t('scanner.stop')}
          </button>
        </>
      )}
    </div>
  );
}
