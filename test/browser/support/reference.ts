// reference.ts — what Node computes for the cross-host comparisons: the engine
// fingerprint (demo/fingerprint.js) over dist/index.js, the build the static
// page loads, computed once per test file.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { engineFingerprint } from '../../../demo/fingerprint.js';

export const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../..');

let cached: ReturnType<typeof engineFingerprint> | undefined;

export function nodeFingerprint(): ReturnType<typeof engineFingerprint> {
  cached ??= (async () => {
    const dist = await import(/* @vite-ignore */ pathToFileURL(resolve(ROOT, 'dist/index.js')).href);
    return engineFingerprint(dist.createScheduler);
  })();
  return cached;
}
