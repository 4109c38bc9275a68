// Writes dist/kms-release.json: the enclave release statement the KMS verifier logs (every served
// file with its SRI value, index.html included), and adds SRI to any entry-page tag still without it.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = new URL('../dist/kms/', import.meta.url).pathname;
const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
const sri = (bytes) => 'sha384-' + createHash('sha384').update(bytes).digest('base64');

// Every script and style sheet the entry page loads carries its integrity value.
const entry = join(root, 'index.html');
let html = readFileSync(entry, 'utf8');
html = html.replace(/<(script|link)\b([^>]*?)\b(src|href)="([^"]+)"([^>]*)>/g, (tag, name, before, attribute, url, after) => {
  if (/\bintegrity=/.test(tag) || /^https?:/.test(url) || (name === 'link' && !/rel="(stylesheet|modulepreload)"/.test(tag))) return tag;
  const bytes = readFileSync(join(root, url.replace(/^\//, '')));
  return `<${name}${before}${attribute}="${url}"${after.replace(/\s*$/, '')} integrity="${sri(bytes)}">`;
});
html = html.replace(/ crossorigin(?=[ >])/g, ' crossorigin="anonymous"');
writeFileSync(entry, html);

const files = {};
const walk = (dir) => readdirSync(dir).sort().forEach((name) => {
  const path = join(dir, name);
  if (statSync(path).isDirectory()) walk(path);
  else files[relative(root, path).split(sep).join('/')] = sri(readFileSync(path));
});
walk(root);

let sourceCommit = '0000000';
try {
  sourceCommit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {
  // Not a git checkout: the statement says so with zeros.
}
writeFileSync(new URL('../dist/kms-release.json', import.meta.url),
  JSON.stringify({ type: 'release', version, sourceCommit, files }, null, 2) + '\n');
console.log(`KMS release ${version}: ${Object.keys(files).length} files, dist/kms-release.json`);
