#!/usr/bin/env node
// serve-demo.mjs — a tiny static file server for nicteam's browser pages:
// the import-map example (demo/static/, loading dist/ and node_modules/zod
// unbundled) and the Vite-built demo (demo/dist/, or any directory).
//
// Listens on 127.0.0.1 only, on an ephemeral port unless one is given. Serves
// GET/HEAD of files under a few mounted directories, nothing else: no directory
// listings, no path escapes. Used by the browser tests (startStaticServer) and
// by hand:
//   node scripts/serve-demo.mjs            # demo/static/ at /, with /dist and /node_modules/zod
//   node scripts/serve-demo.mjs demo/dist  # a built demo (npx vite build -c demo/vite.config.ts)
//   PORT=8080 node scripts/serve-demo.mjs
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { resolve, sep, extname, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.map': 'application/json', '.wasm': 'application/wasm',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};

/** The mounts of the import-map example: URL prefix → directory. */
export function staticExampleMounts(root = ROOT) {
  return {
    '/dist/': resolve(root, 'dist'),
    '/node_modules/zod/': resolve(root, 'node_modules/zod'),
    '/demo/': resolve(root, 'demo'),
    '/': resolve(root, 'demo/static'),
  };
}

/**
 * Starts a static server. `mounts` maps URL prefixes (ending in "/") to
 * directories; the longest matching prefix wins. Resolves to { url, port, close }.
 */
export function startStaticServer({ mounts, port = 0, host = '127.0.0.1', log = false }) {
  const table = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  const server = createServer(async (req, res) => {
    const send = (code, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
      let path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (path.endsWith('/')) path += 'index.html';
      const hit = table.find(([prefix]) => path.startsWith(prefix));
      if (!hit) return send(404, 'not found\n');
      const [prefix, dir] = hit;
      const file = resolve(dir, `.${sep}${path.slice(prefix.length)}`);
      if (file !== dir && !file.startsWith(dir + sep)) return send(403, 'forbidden\n');
      const st = await stat(file).catch(() => null);
      if (!st || !st.isFile()) return send(404, 'not found\n');
      send(200, await readFile(file), TYPES[extname(file)] ?? 'application/octet-stream');
      if (log) console.log(`${req.method} ${path} → ${file}`);
    } catch (e) {
      send(500, `${e?.message ?? e}\n`);
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const a = server.address();
      ok({
        port: a.port, url: `http://${host}:${a.port}/`,
        close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  const mounts = dir ? { '/': resolve(dir) } : staticExampleMounts();
  const { url } = await startStaticServer({ mounts, port: Number(process.env.PORT ?? 0), log: true });
  console.log(`serving ${dir ? resolve(dir) : 'demo/static (import-map example) with /dist and /node_modules/zod'} at ${url}  (Ctrl-C to stop)`);
}
