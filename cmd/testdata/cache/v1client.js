// A job's actions/cache client over the v1 REST API, as @actions/cache's
// cacheHttpClient does it with node's http module: look up (GET cache),
// download the archive from the signed URL; or reserve (POST caches),
// upload in chunks (PATCH caches/ID with Content-Range), commit (POST
// caches/ID with the size). MODE=save|restore, KEY, FILE come from the
// environment; the cache from ACTIONS_CACHE_URL and ACTIONS_RUNTIME_TOKEN.
const fs = require('fs');
const http = require('http');
const https = require('https');

const base = process.env.ACTIONS_CACHE_URL;
const version = 'anvil-test-v1';
const chunkSize = 4 << 20;

function request(method, url, body, headers, out) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(u, { method, headers }, (res) => {
      const chunks = [];
      if (out) res.pipe(out);
      else res.on('data', (c) => chunks.push(c));
      const done = () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode >= 300) reject(new Error(`${method} ${u.pathname.replace(/_cache\/[^/]+/, '_cache/***')}: ${res.statusCode} ${text}`));
        else resolve({ status: res.statusCode, text });
      };
      if (out) out.on('finish', done); else res.on('end', done);
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

function api(method, path, json, extra) {
  const headers = {
    Accept: 'application/json;api-version=6.0-preview.1',
    Authorization: `Bearer ${process.env.ACTIONS_RUNTIME_TOKEN || ''}`,
    ...extra,
  };
  let body = json;
  if (json && !Buffer.isBuffer(json)) {
    body = JSON.stringify(json);
    headers['Content-Type'] = 'application/json';
  }
  return request(method, base + '_apis/artifactcache/' + path, body, headers);
}

async function save(key, file) {
  const data = fs.readFileSync(file);
  const { text } = await api('POST', 'caches', { key, version, cacheSize: data.length });
  const id = JSON.parse(text).cacheId;
  for (let start = 0; start < data.length; start += chunkSize) {
    const end = Math.min(start + chunkSize, data.length) - 1;
    await api('PATCH', `caches/${id}`, data.subarray(start, end + 1), {
      'Content-Type': 'application/octet-stream',
      'Content-Range': `bytes ${start}-${end}/*`,
    });
  }
  await api('POST', `caches/${id}`, { size: data.length });
  console.log(`cache saved: ${key} (${data.length} bytes)`);
}

async function restore(key, file) {
  const { status, text } = await api('GET', `cache?keys=${encodeURIComponent(key)}&version=${version}`);
  if (status === 204) {
    console.log(`cache miss: ${key}`);
    return;
  }
  const entry = JSON.parse(text);
  await request('GET', entry.archiveLocation, null, {}, fs.createWriteStream(file));
  console.log(`cache hit: ${entry.cacheKey}`);
}

if (!base) {
  console.log('no ACTIONS_CACHE_URL: the cache is off'); // actions/cache warns and goes on
  process.exit(0);
}
const { MODE, KEY, FILE } = process.env;
(MODE === 'save' ? save : restore)(KEY, FILE).catch((e) => {
  console.log(`cache ${MODE} failed: ${e.message}`);
  process.exit(1);
});
