// vite.config.ts — the demo page (demo/index.html → main.ts), bundled with the
// engine straight from src/ (the Wasm is inlined there as base64, so there is
// no asset to copy). `npm run demo` serves it on 127.0.0.1; `npx vite build -c
// demo/vite.config.ts` writes demo/dist/ with relative URLs (base './'), so the
// result works from any static server and any path.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  clearScreen: false,
  server: { host: '127.0.0.1', port: 5173, strictPort: false, open: false },
  preview: { host: '127.0.0.1', port: 4173, strictPort: false },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // top-level await in main.ts, bigint literals in the engine
    chunkSizeWarningLimit: 1024,
  },
});
