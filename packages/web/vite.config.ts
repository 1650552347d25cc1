// Vite build of the web app: the UI bundle, the Web Worker that runs the client SDK (MLS, store, sync) as its own
// chunk, hashed file names so the server can cache them for a year.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', proxy: { '/v1': { target: 'http://127.0.0.1:8750', ws: true } } },
});
