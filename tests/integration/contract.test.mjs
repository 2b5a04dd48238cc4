// conf/openapi.yaml itself, and the validator every other integration test goes through
// (lib/contract.mjs). Pure node: no stack.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';

import { ContractError, checkResponse, contract, deref, validateResponse } from './lib/contract.mjs';
import { httpRequest } from './stack.mjs';

const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'x-request-id': '0123456789abcdef0123456789abcdef' };
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const BOOKING = {
  id: 'bk_0123456789abcdef0123456789abcdef',
  concertId: 'concert_001',
  userId: 'u_0123456789abcdef0123456789abcdef',
  status: 'confirmed',
  totalAmount: 230,
  items: [{ tierId: 'tier_vip_001', tierName: 'VIP', quantity: 2, pricePerTicket: 100 }],
  createdAt: '2026-11-24T10:00:00Z',
  updatedAt: '2026-11-24T10:00:00Z',
};

// Every response object the document reaches: from the operations and the two extension maps.
function everyResponse(doc) {
  const out = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const m of METHODS.filter((x) => item[x])) {
      const key = p.replaceAll('~', '~0').replaceAll('/', '~1');
      for (const status of Object.keys(item[m].responses ?? {})) {
        out.push({ where: `${m.toUpperCase()} ${p} ${status}`, pointer: `#/paths/${key}/${m}/responses/${status}` });
      }
    }
  }
  for (const [name, list] of [...Object.entries(doc['x-ticketd-unmatched']), ['x-nginx-errors', doc['x-nginx-errors']]]) {
    const base = name === 'x-nginx-errors' ? '#/x-nginx-errors' : `#/x-ticketd-unmatched/${name}`;
    for (const status of Object.keys(list)) out.push({ where: `${name} ${status}`, pointer: `${base}/${status}` });
  }
  return out;
}

// Every `code` enum inside a schema, following $refs (each response narrows error.code).
function codeEnums(doc, schema, seen = new Set()) {
  if (!schema || typeof schema !== 'object') return [];
  if (typeof schema.$ref === 'string') {
    if (seen.has(schema.$ref)) return [];
    seen.add(schema.$ref);
    return codeEnums(doc, deref(doc, schema.$ref).node, seen);
  }
  const found = [];
  if (schema.properties?.code?.enum) found.push(schema.properties.code.enum);
  for (const v of Object.values(schema)) {
    if (v && typeof v === 'object') found.push(...codeEnums(doc, v, seen));
  }
  return found;
}

test('the document is OpenAPI 3.1 with the shape the validator relies on', () => {
  const { doc } = contract();
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(typeof doc.info?.title, 'string');
  assert.equal(typeof doc.info?.version, 'string');
  const expected = ['GET /health', 'GET /api/concerts', 'GET /api/concerts/{id}', 'GET /api/concerts/{id}/availability',
    'POST /api/bookings', 'GET /api/bookings/{id}', 'POST /api/bookings/{id}/cancel',
    'POST /api/auth/register', 'POST /api/auth/login', 'POST /api/auth/logout', 'GET /api/me', 'GET /api/me/bookings',
    'GET /api/config', 'GET /api/admin/concerts', 'POST /api/admin/concerts', 'GET /api/admin/concerts/{id}',
    'PATCH /api/admin/concerts/{id}', 'GET /api/admin/concerts/{id}/sales', 'GET /api/admin/concerts/{id}/bookings.csv',
    'GET /api/admin/bookings', 'GET /api/admin/bookings/{id}', 'POST /api/admin/bookings/{id}/cancel',
    'GET /api/bookings/{id}/tickets', 'GET /api/checkin/key', 'POST /api/checkin',
    'POST /api/auth/verify-email', 'POST /api/auth/verify-email/resend', 'POST /api/auth/password-reset',
    'POST /api/auth/password-reset/confirm'];
  const ops = [];
  const ids = new Set();
  for (const [p, item] of Object.entries(doc.paths)) {
    assert.match(p, /^\//, p);
    const params = (p.match(/\{[^}]+\}/g) ?? []).map((x) => x.slice(1, -1));
    for (const m of METHODS.filter((x) => item[x])) {
      const op = item[m];
      ops.push(`${m.toUpperCase()} ${p}`);
      assert.ok(op.operationId && !ids.has(op.operationId), `${m} ${p}: a unique operationId`);
      ids.add(op.operationId);
      assert.ok(Object.keys(op.responses ?? {}).length > 0, `${m} ${p} has responses`);
      for (const status of Object.keys(op.responses)) assert.match(status, /^[1-5]\d\d$/, `${m} ${p}: ${status}`);
      const declared = [...(item.parameters ?? []), ...(op.parameters ?? [])]
        .map((x) => deref(doc, x.$ref ?? '').node ?? x).filter((x) => x.in === 'path').map((x) => x.name);
      assert.deepEqual(declared.sort(), params.sort(), `${m} ${p}: path parameters declared`);
    }
  }
  assert.deepEqual(ops.sort(), expected.sort());
  assert.ok(deref(doc, '#/paths/~1api~1bookings/post/requestBody/content/application~1json/schema').node?.properties?.tickets,
    'POST /api/bookings documents its request body');
});

test('every response is JSON with X-Request-Id, every $ref resolves, every code is in ErrorCode', () => {
  const { doc } = contract();
  const all = new Set(deref(doc, '#/components/schemas/ErrorCode').node.enum);
  const refs = JSON.stringify(doc).match(/"\$ref":"[^"]*"/g).map((r) => r.slice(8, -1));
  for (const r of refs) assert.ok(deref(doc, r).node !== undefined, `$ref ${r} resolves`);
  for (const { where, pointer } of everyResponse(doc)) {
    const { node: res } = deref(doc, pointer);
    assert.equal(typeof res?.description, 'string', `${where}: a description`);
    assert.ok(res.headers?.['X-Request-Id'], `${where}: X-Request-Id`);
    const status = Number(where.split(' ').pop());
    if (status === 204) {
      assert.equal(res.content, undefined, `${where}: no body`);
      continue;
    }
    // The one download: CSV, streamed.
    if (where === 'GET /api/admin/concerts/{id}/bookings.csv 200') {
      assert.ok(res.content?.['text/csv'], `${where}: text/csv`);
      continue;
    }
    const schema = res.content?.['application/json']?.schema;
    assert.ok(schema, `${where}: an application/json schema`);
    if (status === 503 || status === 429 || status === 502) assert.ok(res.headers['Retry-After'], `${where}: Retry-After`);
    const enums = codeEnums(doc, schema).filter((e) => e !== deref(doc, '#/components/schemas/ErrorCode').node.enum);
    if (status >= 400) assert.ok(enums.length > 0, `${where}: error.code narrowed to an enum`);
    for (const e of enums) for (const code of e) assert.ok(all.has(code), `${where}: ${code} is in ErrorCode`);
  }
  assert.ok(deref(doc, '#/x-ticketd-unmatched/api-method-not-allowed/405').node.headers.Allow, '405 has Allow');
});

test('documented answers pass', () => {
  assert.ok(validateResponse('POST', '/api/bookings', 201, HEADERS, { success: true, data: BOOKING }).checked);
  assert.ok(validateResponse('GET', '/api/concerts/concert_001?x=1', 404, HEADERS,
    { success: false, error: { code: 'CONCERT_NOT_FOUND', message: 'Concert not found' } }).checked);
  assert.ok(validateResponse('POST', '/api/bookings', 409, HEADERS, { success: false, error: {
    code: 'INSUFFICIENT_INVENTORY', message: 'm', details: { tierId: 't', tierName: 'VIP', requested: 2, available: 1 } } }).checked);
  assert.ok(validateResponse('DELETE', '/api/concerts', 405, { ...HEADERS, allow: 'GET' },
    { success: false, error: { code: 'METHOD_NOT_ALLOWED', message: 'm' } }).checked);
  assert.ok(validateResponse('HEAD', '/api/concerts', 200, HEADERS, undefined, { body: '' }).checked);
  assert.ok(validateResponse('GET', '/assets/x.js', 200, { 'content-type': 'text/javascript' }, undefined).skipped);
  assert.ok(validateResponse('GET', '/api/concerts', 200, HEADERS,
    JSON.parse('{"success":true,"data":[{"id":"c","name":"n","venue":"v","eventDate":"2027-06-15T20:00:00Z",' +
      '"timeZone":"America/New_York","startsAt":"2027-06-15T16:00:00-04:00","doorsAt":null,' +
      '"salesStart":"2026-12-01T10:00:00-05:00","salesEnd":"2027-06-15T16:00:00-04:00","status":"published",' +
      '"maxTicketsPerFan":10,"createdAt":"2026-01-01T00:00:00Z","minPrice":19.99,"totalQuantity":5,' +
      '"availableQuantity":5}],"meta":{"nextCursor":null}}')).checked);
  assert.ok(validateResponse('GET', '/api/admin/concerts/c/bookings.csv', 200,
    { 'content-type': 'text/csv; charset=utf-8', 'x-request-id': HEADERS['x-request-id'] }, undefined,
    { body: 'booking_id\n' }).checked);
});

test('the validator rejects what the document does not allow', () => {
  const { id, ...noId } = BOOKING;
  void id;
  const cases = [
    ['a 201 booking without id', ['POST', '/api/bookings', 201, HEADERS, { success: true, data: noId }], /must have required property 'id'/],
    ['a booking with an extra field', ['GET', `/api/bookings/${BOOKING.id}`, 200, HEADERS,
      { success: true, data: { ...BOOKING, internal: 1 } }], /additional/],
    ['an undocumented status', ['GET', '/api/concerts', 418, HEADERS, { success: false, error: { code: 'INVALID_REQUEST', message: 'm' } }],
      /status 418 is not documented/],
    ['a code this status cannot carry here', ['GET', '/api/concerts/x', 404, HEADERS,
      { success: false, error: { code: 'BOOKING_NOT_FOUND', message: 'm' } }], /must be equal to one of the allowed values/],
    ['a 402 without details.bookingId', ['POST', '/api/bookings', 402, HEADERS,
      { success: false, error: { code: 'PAYMENT_FAILED', message: 'm' } }], /details/],
    ['a 503 without Retry-After', ['GET', '/api/concerts', 503, HEADERS,
      { success: false, error: { code: 'SERVICE_UNAVAILABLE', message: 'm' } }], /Retry-After is missing/],
    ['a 405 without Allow', ['POST', '/api/concerts', 405, HEADERS,
      { success: false, error: { code: 'METHOD_NOT_ALLOWED', message: 'm' } }], /Allow is missing/],
    ['no X-Request-Id', ['GET', '/api/concerts', 200, { 'content-type': 'application/json' }, { success: true, data: [], meta: { nextCursor: null } }],
      /X-Request-Id is missing/],
    ['a body that is not JSON', ['GET', '/api/concerts', 200, HEADERS, undefined, { body: '<html>' }], /not JSON/],
    ['a price that is not a number', ['GET', '/api/concerts/c/availability', 200, HEADERS, { success: true,
      data: { concertId: 'c', tiers: [{ id: 't', tierName: 'GA', price: '10.00', totalQuantity: 1, availableQuantity: 1 }] } }],
    /must be number/],
    ['a price with three decimals', ['GET', '/api/concerts/c/availability', 200, HEADERS, { success: true,
      data: { concertId: 'c', tiers: [{ id: 't', tierName: 'GA', price: 10.005, totalQuantity: 1, availableQuantity: 1 }] } }],
    /multiple of 0.01/],
    ['an unknown /api path answered 200', ['GET', '/api/nope', 200, HEADERS, { success: true, data: [] }], /not documented/],
    ['an nginx error outside the API with a wrong code', ['GET', '/assets/x.js', 404, HEADERS,
      { success: false, error: { code: 'CONCERT_NOT_FOUND', message: 'm' } }], /allowed values/],
  ];
  for (const [name, args, re] of cases) {
    assert.throws(() => validateResponse(...args), (err) => err instanceof ContractError && re.test(err.message), name);
  }
  // The error names the request and lists ajv's complaints.
  assert.throws(() => validateResponse('POST', '/api/bookings', 201, HEADERS, { success: true, data: noId }),
    /POST \/api\/bookings answered 201: the body does not match .*\n.*\/data must have required property 'id'/);
  // An unreadable raw request line is checked against nginx's own errors.
  assert.throws(() => checkResponse('?', '(raw)', { status: 200, headers: HEADERS, body: '{}' }, { generic: true }),
    /status 200 is not documented/);
});

test('httpRequest, the helper every test goes through, rejects an answer the document does not allow', async () => {
  // A stand-in for nginx: a 200 booking without its id, and a correct 404.
  const srv = http.createServer((req, res) => {
    const head = { 'content-type': 'application/json', 'x-request-id': '0123456789abcdef0123456789abcdef' };
    if (req.url.startsWith('/api/bookings/')) {
      const { id, ...noId } = BOOKING;
      void id;
      res.writeHead(200, head).end(JSON.stringify({ success: true, data: noId }));
    } else {
      res.writeHead(404, head).end('{"success":false,"error":{"code":"CONCERT_NOT_FOUND","message":"Concert not found"}}');
    }
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = srv.address();
    await assert.rejects(httpRequest(port, 'GET', `/api/bookings/${BOOKING.id}`), ContractError);
    assert.equal((await httpRequest(port, 'GET', '/api/concerts/nope')).status, 404);
    assert.equal((await httpRequest(port, 'GET', `/api/bookings/${BOOKING.id}`, { contract: false })).status, 200);
  } finally {
    srv.close();
  }
});
