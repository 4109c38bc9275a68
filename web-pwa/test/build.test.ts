import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

function build(): Map<string, Buffer> {
  const out = mkdtempSync(join(tmpdir(), 'ats-kms-build-'));
  try {
    execFileSync('npx', ['vite', 'build', '--config', 'vite.kms.config.ts', '--outDir', out, '--emptyOutDir', '--logLevel', 'error'],
      { cwd: new URL('..', import.meta.url).pathname, stdio: 'pipe' });
    const files = new Map<string, Buffer>();
    const walk = (dir: string) => readdirSync(dir).forEach((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(out, path), readFileSync(path));
    });
    walk(out);
    return files;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describe('the enclave build', () => {
  it('is reproducible: the same source gives the same bytes, in files named by their hash', () => {
    const first = build();
    const second = build();
    expect([...first.keys()].sort()).toEqual([...second.keys()].sort());
    for (const [name, bytes] of first) expect(second.get(name)!.equals(bytes), name).toBe(true);
    const assets = [...first.keys()].filter((name) => name !== 'index.html');
    expect(assets.length).toBeGreaterThanOrEqual(2); // the page's script and the worker
    for (const name of assets) expect(name).toMatch(/^assets\/[\w-]+-[\w-]{8}\.js$/);
  }, 60_000);
});
