// One user action at a time: `run` clears the last error, marks the screen busy, and turns a failure into the
// sentence `describe` gives it (errors.ts), so that every screen reports a refused action the same way.
import { useCallback, useState } from 'react';

export function useAction(describe: (e: unknown) => string) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const run = useCallback(
    async (f: () => Promise<unknown>) => {
      setError('');
      setBusy(true);
      try {
        await f();
      } catch (e) {
        setError(describe(e));
      } finally {
        setBusy(false);
      }
    },
    [describe],
  );
  return { busy, error, setError, run };
}
