// Writes FILE.gz beside every compressible file of the build so nginx can
// serve it with gzip_static instead of compressing on every request.
// Usage: node scripts/compress.mjs DIR
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.txt', '.map', '.webmanifest', '.ico']);

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

const root = process.argv[2] ?? 'dist';
let plain = 0;
let packed = 0;
const rows = [];
for (const path of walk(root)) {
  if (!COMPRESSIBLE.has(extname(path))) continue;
  const data = readFileSync(path);
  const gz = gzipSync(data, { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(`${path}.gz`, gz);
  // Same mtime as the original, so Last-Modified/ETag agree for both forms.
  const { atime, mtime } = statSync(path);
  utimesSync(`${path}.gz`, atime, mtime);
  plain += data.length;
  packed += gz.length;
  rows.push([relative(root, path), data.length, gz.length]);
}

const kb = (n) => `${(n / 1000).toFixed(2)} kB`.padStart(10);
for (const [name, size, gzSize] of rows.sort((a, b) => b[2] - a[2])) {
  console.log(`${kb(size)}  gzip ${kb(gzSize)}  ${name}`);
}
console.log(`${kb(plain)}  gzip ${kb(packed)}  total (${rows.length} files, .gz written beside each)`);
