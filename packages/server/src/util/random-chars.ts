// Random base64url characters from the system CSPRNG (ids and tokens); used only at composition roots, passed down.
import { randomBytes } from 'node:crypto';

/** `n` characters of base64url, 6 random bits each. */
export function randomChars(n: number): string {
  return randomBytes(Math.ceil((n * 3) / 4))
    .toString('base64url')
    .slice(0, n);
}
