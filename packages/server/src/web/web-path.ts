// Classifies the raw request-target of a GET/HEAD outside the API (RFC 9112 §3.2.1 origin-form) into what the web app
// serves: its index page, one file of the build, the single-page-app fallback, an API path, or a refusal. Pure: no
// file system here; web-routes.ts resolves the segments under the build directory and checks the real path.

/** Paths the API owns: an unknown one under them answers the API's JSON 404, never the web app. */
const API_PREFIXES = ['/v1', '/health', '/metrics', '/openapi.json'] as const;

export type WebPath =
  | { kind: 'api' }
  | { kind: 'index' }
  /** A file of the build: `assets/...` are content-hashed (cached for a year), the others revalidated. */
  | { kind: 'file'; segments: readonly string[]; immutable: boolean }
  /** A path of the app (e.g. /chats/abc) that names no file: index.html for a browser, 404 otherwise. */
  | { kind: 'app-route' }
  | { kind: 'refused'; reason: string };

function isApi(path: string): boolean {
  return API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
}

const refuse = (reason: string): WebPath => ({ kind: 'refused', reason });

/**
 * `rawUrl` is the request-target exactly as received (Node's `req.url`), before any normalisation. Anything that could
 * step out of the build directory or name a hidden file is refused before it reaches the file system: `..` and `.`
 * segments in any encoding, encoded slashes and backslashes, NUL, empty segments (`//etc/passwd`), dot-files, and
 * targets that are not origin-form (`http://host/x`, `*`).
 */
export function classifyWebPath(rawUrl: string): WebPath {
  const q = rawUrl.search(/[?#]/);
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  if (!path.startsWith('/')) return refuse('not an origin-form path');
  if (isApi(path)) return { kind: 'api' };
  if (path.includes('\\') || path.includes('\0')) return refuse('backslash or NUL');
  if (/%(?:2f|5c|00)/i.test(path)) return refuse('encoded slash, backslash or NUL');
  if (path === '/' || path === '/index.html') return { kind: 'index' };
  const raw = path.slice(1).split('/');
  const trailingSlash = raw.length > 1 && raw[raw.length - 1] === '';
  if (trailingSlash) raw.pop();
  const segments: string[] = [];
  for (const r of raw) {
    let s: string;
    try {
      s = decodeURIComponent(r);
    } catch {
      return refuse('malformed percent-encoding');
    }
    if (s === '') return refuse('empty segment');
    if (s.startsWith('.')) return refuse('dot segment or dot-file');
    if (/[\\/\0]/.test(s)) return refuse('separator or NUL in a segment');
    segments.push(s);
  }
  if (segments[0] === 'assets') {
    return segments.length > 1 && !trailingSlash ? { kind: 'file', segments, immutable: true } : refuse('no directory listing');
  }
  if (segments.length === 1 && !trailingSlash) return { kind: 'file', segments, immutable: false };
  return { kind: 'app-route' };
}

/** Whether the request's Accept header asks for HTML (a browser navigation), for the single-page-app fallback. */
export function acceptsHtml(accept: string | undefined): boolean {
  return accept !== undefined && /(?:^|[,\s])text\/html(?:[;,\s]|$)/i.test(accept);
}
