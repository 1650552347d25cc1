// The HTTP security headers of every web-app response (HTML, assets, the not-built page): a strict
// Content-Security-Policy (CSP Level 3) that lets the app load only its own scripts, workers and connections.

const HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/i;

/**
 * The WebSocket origins of the app's own server, for connect-src: `'self'` covers ws: and wss: to the same host in
 * CSP Level 3 browsers; naming them too keeps older ones working. From server.publicUrl when set, otherwise from the
 * request's Host header when it is a plain host[:port] (anything else: `'self'` alone).
 */
function wsOrigins(publicUrl: string | null, hostHeader: string | undefined): string[] {
  const host = publicUrl !== null ? new URL(publicUrl).host : hostHeader;
  if (host === undefined || !HOST.test(host)) return [];
  return [`ws://${host}`, `wss://${host}`];
}

export function contentSecurityPolicy(publicUrl: string | null, hostHeader: string | undefined): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "worker-src 'self' blob:",
    ["connect-src 'self'", ...wsOrigins(publicUrl, hostHeader)].join(' '),
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function securityHeaders(publicUrl: string | null, hostHeader: string | undefined): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(publicUrl, hostHeader),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    // The camera is for scanning the QR code of a device link or a safety number, on this origin only.
    'permissions-policy': 'camera=(self), microphone=(), geolocation=(), payment=(), usb=()',
    'x-frame-options': 'DENY',
  };
}
