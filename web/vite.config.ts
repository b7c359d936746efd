import { brotliCompressSync, gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { generationValidatorSource } from './generation-validator.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, '../dist/web');
const VALIDATOR = 'virtual:generation-validator';

/** The server's JSON-schema check of a generation body, compiled ahead of time (the page's CSP forbids eval). */
function generationValidator(): Plugin {
  return {
    name: 'atelier-generation-validator',
    resolveId: (id) => (id === VALIDATOR ? '\0' + VALIDATOR : null),
    load: async (id) => (id === '\0' + VALIDATOR ? generationValidatorSource() : null),
  };
}

/** Writes .gz and .br beside every text asset: @fastify/static serves them as they are. */
function precompress(): Plugin {
  return {
    name: 'atelier-precompress',
    apply: 'build',
    writeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
      for (const file of walk(outDir).filter((f) => /\.(js|css|html|svg|json)$/.test(f))) {
        const bytes = readFileSync(file);
        writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
        writeFileSync(`${file}.br`, brotliCompressSync(bytes));
      }
    },
  };
}

export default defineConfig({
  root: here,
  base: '/dashboard/',
  logLevel: 'warn',
  plugins: [generationValidator(), precompress()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir,
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    // Precompressing is most of a 3 s build by design: no timing report on every `npm ci`.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
});
