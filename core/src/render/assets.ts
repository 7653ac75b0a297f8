import fs from 'node:fs';
import zlib from 'node:zlib';
import type Router from '@koa/router';
import type { Views } from './views';

const TYPES: Readonly<Record<string, string>> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.css', '.js', '.svg']);
const SAFE_PATH = /^(?:[a-z0-9_-]+\/)*[a-z0-9_.-]+\.[a-z0-9]+$/i;

interface Asset {
  type: string;
  raw: Buffer;
  gzip: Buffer | null;
  mtime: number;
}

/**
 * Theme assets at /assets/{theme}/{version}/{path}. The version in the URL is a hash of the
 * file (see Views.assetUrl), so responses are cached for a year; text assets are served
 * gzip-compressed when the browser accepts it (compressed once, kept in memory).
 */
export function assetRoutes(router: Router, views: Views): void {
  const cache = new Map<string, Asset>();
  router.get('/assets/:theme/:version/*path', (ctx) => {
    const raw = ctx.params.path as unknown;
    const rel = Array.isArray(raw) ? raw.join('/') : String(raw);
    if (!SAFE_PATH.test(rel) || rel.split('/').includes('..')) return;
    const theme = views.themes.get(ctx.params.theme);
    const ext = rel.slice(rel.lastIndexOf('.')).toLowerCase();
    const file = theme?.file(`assets/${rel}`);
    if (!file || !TYPES[ext]) return;
    const mtime = fs.statSync(file).mtimeMs;
    let asset = cache.get(file);
    if (!asset || asset.mtime !== mtime) {
      const raw = fs.readFileSync(file);
      asset = { type: TYPES[ext], raw, gzip: COMPRESSIBLE.has(ext) ? zlib.gzipSync(raw, { level: 9 }) : null, mtime };
      cache.set(file, asset);
    }
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.set('Vary', 'Accept-Encoding');
    ctx.type = asset.type;
    if (asset.gzip && ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
      ctx.set('Content-Encoding', 'gzip');
      ctx.body = asset.gzip;
    } else {
      ctx.body = asset.raw;
    }
  });
}
