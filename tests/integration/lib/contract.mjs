// The API contract (conf/openapi.yaml) as a check on every response the integration tests get.
// stack.mjs's httpRequest and rawRequest, and booking-helpers' rawExchange, call
// checkResponse(); a response the document does not allow throws a ContractError, which fails
// the test that made the request.
//
//   validateResponse('GET', '/api/concerts/concert_001', 200, res.headers, res.json);
//
// Which part of the document a response is checked against:
//   /health, /api and /api/...     the operation of the matching path template and method
//                                  (HEAD is GET with an empty body); a known path with another
//                                  method, or an unknown path under /api, uses the document's
//                                  x-ticketd-unmatched responses.
//   any other path (the front end's files, /metrics on the public port), and a raw request
//   whose request line cannot be read (no method or path to route)
//                                  only an error status (>= 400) with a JSON body is checked,
//                                  against x-nginx-errors; pages, assets and their 2xx/3xx
//                                  are not API and are skipped.
// A request made with { contract: false } is not checked: only the operators' metrics port
// (conf/nginx-metrics.conf.in) uses it, which is not the public API.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

import Ajv2020 from 'ajv/dist/2020.js';
import YAML from 'yaml';

export const DOCUMENT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..',
  'conf', 'openapi.yaml');
const DOC_ID = 'openapi.yaml';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export class ContractError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ContractError';
  }
}

let loaded;

// Parses the document and registers it with ajv once per process.
export function contract() {
  if (loaded) return loaded;
  const doc = YAML.parse(readFileSync(DOCUMENT, 'utf8'));
  // strict:false: the document is OpenAPI, not only JSON Schema (its parameters and headers
  // hold keywords such as `in` and `required: true`); only the schemas in it are compiled.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false,
    validateFormats: false, multipleOfPrecision: 9 });
  ajv.addSchema(doc, DOC_ID);
  const templates = Object.keys(doc.paths ?? {}).map((t) => ({
    template: t,
    re: new RegExp(`^${t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    literal: !t.includes('{'),
  }));
  // A literal path wins over a template that would match it too.
  templates.sort((a, b) => Number(b.literal) - Number(a.literal));
  loaded = { doc, ajv, templates, validators: new Map() };
  return loaded;
}

const escapePointer = (s) => String(s).replaceAll('~', '~0').replaceAll('/', '~1');

function at(doc, pointer) {
  let node = doc;
  for (const part of pointer.replace(/^#\/?/, '').split('/').filter((p) => p !== '')) {
    node = node?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return node;
}

// Follows $refs from a pointer; returns the object and the pointer it was found at.
export function deref(doc, pointer) {
  let node = at(doc, pointer);
  for (let i = 0; node && typeof node.$ref === 'string' && i < 10; i++) {
    pointer = node.$ref;
    node = at(doc, pointer);
  }
  return { node, pointer };
}

function validator(pointer) {
  const c = contract();
  let v = c.validators.get(pointer);
  if (!v) {
    v = c.ajv.getSchema(`${DOC_ID}${pointer}`);
    if (!v) throw new ContractError(`contract: no schema at ${pointer} in ${DOCUMENT}`);
    c.validators.set(pointer, v);
  }
  return v;
}

// The path nginx and the daemon route on: no query string, percent-escapes decoded.
function routedPath(urlPath) {
  const p = String(urlPath).split('?')[0].split('#')[0];
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

const isApiPath = (p) => p === '/health' || p === '/api' || p.startsWith('/api/');

// Where the allowed responses of one request are listed: { pointer, responses, what } or null
// when the request is outside the document (see the rule at the top).
export function responsesFor(method, urlPath) {
  const { doc, templates } = contract();
  const p = routedPath(urlPath);
  const m = String(method).toLowerCase() === 'head' ? 'get' : String(method).toLowerCase();

  if (!isApiPath(p)) return null;
  const hit = templates.find((t) => t.re.test(p));
  if (!hit) {
    return { pointer: '#/x-ticketd-unmatched/api-unknown-path', what: `unknown path ${p}` };
  }
  const item = doc.paths[hit.template];
  if (METHODS.includes(m) && item[m]) {
    return { pointer: `#/paths/${escapePointer(hit.template)}/${m}/responses`, what: `${m.toUpperCase()} ${hit.template}` };
  }
  return { pointer: '#/x-ticketd-unmatched/api-method-not-allowed', what: `${method} on ${hit.template}` };
}

function formatErrors(errors) {
  return (errors ?? []).slice(0, 12).map((e) => {
    const extra = e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : '';
    return `    ${e.instancePath || '(body)'} ${e.message}${extra}  [${e.schemaPath}]`;
  }).join('\n');
}

function fail(method, urlPath, status, why, body) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  throw new ContractError(`contract (conf/openapi.yaml): ${method} ${urlPath} answered ${status}: ${why}` +
    (text === undefined ? '' : `\n  body: ${text.length > 600 ? `${text.slice(0, 600)}…` : text}`));
}

// Checks one response against the document. json is the parsed body (undefined when it was not
// JSON or empty); opts.body is the body as text when known (for the error message and to check
// that a HEAD answer is empty). opts.generic: check against nginx's generic errors only (a raw
// request whose request line cannot be read). Returns what it checked, or throws ContractError.
export function validateResponse(method, urlPath, status, headers, json, opts = {}) {
  const { doc } = contract();
  const ctype = String(headers?.['content-type'] ?? '');
  const isJson = /^application\/json\b/i.test(ctype);
  let where = opts.generic ? null : responsesFor(method, urlPath);

  if (!where) {
    // Outside the API: nginx's own JSON errors are still the envelope with a known code.
    if (!opts.generic && (status < 400 || !isJson)) return { skipped: 'outside the API' };
    where = { pointer: '#/x-nginx-errors', what: 'nginx error outside the API' };
  }

  const list = deref(doc, where.pointer).node ?? {};
  const documented = Object.keys(list);
  if (!list[String(status)]) {
    fail(method, urlPath, status, `status ${status} is not documented for ${where.what} ` +
      `(documented: ${documented.join(', ')}; ${where.pointer})`, opts.body ?? json);
  }
  const { node: response, pointer: rPointer } = deref(doc, `${where.pointer}/${status}`);

  for (const name of Object.keys(response.headers ?? {})) {
    const { node: header, pointer: hPointer } = deref(doc, `${rPointer}/headers/${escapePointer(name)}`);
    const value = headers?.[name.toLowerCase()];
    if (value === undefined) {
      if (header?.required) fail(method, urlPath, status, `header ${name} is missing (${hPointer})`);
      continue;
    }
    if (header?.schema) {
      const v = validator(`${hPointer}/schema`);
      if (!v(String(value))) {
        fail(method, urlPath, status, `header ${name}: ${JSON.stringify(value)} does not match ${hPointer}\n${formatErrors(v.errors)}`);
      }
    }
  }

  const media = response.content?.['application/json'];
  if (!media && response.content?.['text/csv']) {
    if (!/^text\/csv\b/i.test(ctype)) fail(method, urlPath, status, `Content-Type ${JSON.stringify(ctype)} is not text/csv`);
    return { checked: `${rPointer}/content/text~1csv` };
  }
  if (!media) {
    if (opts.body) fail(method, urlPath, status, `a body where ${rPointer} documents none`, opts.body);
    return { checked: rPointer };
  }
  if (String(method).toUpperCase() === 'HEAD' || status === 204) {
    if (opts.body) fail(method, urlPath, status, 'a body on a HEAD/204 answer', opts.body);
    if (!isJson) fail(method, urlPath, status, `Content-Type ${JSON.stringify(ctype)} is not application/json`);
    return { checked: rPointer };
  }
  if (!isJson) fail(method, urlPath, status, `Content-Type ${JSON.stringify(ctype)} is not application/json`, opts.body);
  if (json === undefined) fail(method, urlPath, status, 'the body is not JSON', opts.body ?? '');

  const sPointer = `${rPointer}/content/application~1json/schema`;
  const v = validator(sPointer);
  if (!v(json)) {
    fail(method, urlPath, status, `the body does not match ${sPointer}\n${formatErrors(v.errors)}`, opts.body ?? json);
  }
  return { checked: sPointer };
}

// The request line of raw bytes: { method, path } or null when it is not a readable HTTP/1.x
// request line (garbage, an extra token, a TLS hello).
export function requestLine(bytes) {
  const text = Buffer.isBuffer(bytes) ? bytes.toString('latin1') : String(bytes);
  const m = /^([A-Z]+) (\/\S*) HTTP\/1\.[01]\r\n/.exec(text);
  return m ? { method: m[1], path: m[2] } : null;
}

// For the request helpers: res is { status, headers, body, json, raw? } as they build it. A gzip
// body is unpacked to be checked. Status 0 (no answer at all) has nothing to check.
export function checkResponse(method, urlPath, res, { generic = false } = {}) {
  if (!res || !res.status) return { skipped: 'no answer' };
  let { json } = res;
  let body = res.body;
  if (res.headers?.['content-encoding'] === 'gzip' && res.raw?.length) {
    body = gunzipSync(res.raw).toString('utf8');
    json = undefined;
  }
  if (json === undefined && body) {
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
  }
  return validateResponse(method, urlPath, res.status, res.headers ?? {}, json, { body, generic });
}
