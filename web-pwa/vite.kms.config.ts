import { defineConfig } from 'vite';
import { resolve } from 'node:path';

// The KMS enclave: built on its own, to its own origin's root. Same source, same bytes: file names
// carry content hashes and nothing time- or machine-dependent goes in (checked by the build test).
export default defineConfig({
  root: resolve(__dirname, 'kms'),
  base: '/',
  build: {
    outDir: resolve(__dirname, 'dist/kms'),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: false,
    assetsInlineLimit: 0,
    rollupOptions: { output: { entryFileNames: 'assets/[name]-[hash].js', chunkFileNames: 'assets/[name]-[hash].js' } },
  },
  worker: { format: 'es', rollupOptions: { output: { entryFileNames: 'assets/[name]-[hash].js' } } },
});
