// esm-graph.test.ts — the package's ESM build is browser-safe by construction:
// walking every import (static and dynamic) from dist/index.js reaches no Node
// built-in and no bare specifier but 'zod' (whose own graph is relative only),
// and the Wasm core comes inlined (no fetch, no .wasm URL, no fs). Runs
// without a browser.
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const entry = resolve(root, 'dist/index.js');
const SPEC = /(?:\bimport\s*(?:[\w*\s{},$]*\s*from\s*)?|\bexport\s*[\w*\s{},$]*\s*from\s*|\bimport\s*\(\s*)(['"])([^'"]+)\1/g;

/** Every file reachable from `start` by relative imports, and every non-relative specifier met. */
function walk(start: string): { files: string[]; bare: Map<string, string[]> } {
  const seen = new Set<string>(), bare = new Map<string, string[]>();
  const todo = [start];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    const src = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of src.matchAll(SPEC)) {
      const s = m[2]!;
      if (s.startsWith('./') || s.startsWith('../')) todo.push(resolve(dirname(f), s));
      else bare.set(s, [...(bare.get(s) ?? []), f.slice(root.length + 1)]);
    }
  }
  return { files: [...seen], bare };
}

describe('dist/index.js import graph (browser-safe ESM)', () => {
  it.skipIf(!existsSync(entry))('reaches no Node built-in; its only bare import is zod', () => {
    const { files, bare } = walk(entry);
    expect(files.length).toBeGreaterThan(5);
    const builtins = new Set(builtinModules);
    const nodeish = [...bare.keys()].filter((s) => s.startsWith('node:') || builtins.has(s) || builtins.has(s.split('/')[0]!));
    expect(nodeish, `Node built-ins on the import path: ${nodeish.map((s) => `${s} (${bare.get(s)})`).join(', ')}`).toEqual([]);
    expect([...bare.keys()].sort()).toEqual(['zod']);
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      expect(src, f).not.toMatch(/\bprocess\.(?:env|argv|exit)|\brequire\(|\bBuffer\.|__dirname|\bfetch\(|\.wasm['"]/);
    }
  });

  it.skipIf(!existsSync(entry))('inlines the Wasm core as base64 and compiles it with WebAssembly.compile', () => {
    const inline = readFileSync(resolve(root, 'dist/wasm/inline.js'), 'utf8');
    const b64 = /WASM_BASE64 = '([A-Za-z0-9+/=]+)'/.exec(inline)?.[1];
    expect(b64, 'dist/wasm/inline.js carries WASM_BASE64').toBeTruthy();
    expect(Buffer.from(b64!, 'base64').subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d])); // \0asm
    expect(readFileSync(resolve(root, 'dist/wasm/core.js'), 'utf8')).toMatch(/WebAssembly\.compile\(/);
  });

  it.skipIf(!existsSync(entry))("zod's ESM graph is relative only (an import map entry for 'zod' suffices)", () => {
    const { bare } = walk(resolve(root, 'node_modules/zod/index.js'));
    expect([...bare.keys()]).toEqual([]);
  });

  it.runIf(!existsSync(entry))('needs dist/: run `npm run build` first', () => {
    console.warn('[browser tests] dist/index.js is missing: run `npm run build` (npm test does) before the browser tests.');
  });
});
