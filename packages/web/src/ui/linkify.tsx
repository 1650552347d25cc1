// Text with links: http(s) URLs become links that open in a new tab without a referrer; everything else stays text
// (React escapes it). No other scheme is ever made clickable.
import type { ReactNode } from 'react';

const URL_RE = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/gi;

export function linkify(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let at = 0;
  for (const m of text.matchAll(URL_RE)) {
    const i = m.index ?? 0;
    if (i > at) out.push(text.slice(at, i));
    out.push(
      <a key={i} href={m[0]} target="_blank" rel="noopener noreferrer nofollow">
        {m[0]}
      </a>,
    );
    at = i + m[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}
