// A QR code drawn as an SVG image (qrcode-generator), with the encoded text as its accessible label.
import qrcode from 'qrcode-generator';
import { useMemo } from 'react';

export function Qr({ text, label, size = 220 }: { text: string; label: string; size?: number }) {
  const src = useMemo(() => {
    const qr = qrcode(0, 'M');
    qr.addData(text, 'Byte');
    qr.make();
    return `data:image/svg+xml;utf8,${encodeURIComponent(qr.createSvgTag({ cellSize: 4, margin: 2, scalable: true }))}`;
  }, [text]);
  return <img className="qr" src={src} alt={label} width={size} height={size} />;
}
