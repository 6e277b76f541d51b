// A tiny product page next to a Patchbay hub: its backend makes a themed connect session with the
// product's API key, and the page connects an account with the browser SDK. Run it beside `npm start`:
//   PATCHBAY_URL=http://localhost:4000 PATCHBAY_API_KEY=pb_test_… node examples/connect-page/server.mjs
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';

const hub = process.env.PATCHBAY_URL ?? 'http://localhost:4000';
const apiKey = process.env.PATCHBAY_API_KEY;
const port = Number(process.env.PORT ?? 3000);
const page = await readFile(new URL('./index.html', import.meta.url), 'utf8');
const script = await readFile(new URL('./page.js', import.meta.url), 'utf8');
const theme = { productName: 'Acme Books', tokens: { 'color-primary': '#0a7d5a', 'color-primary-hover': '#086548', 'radius-md': '10px' }, dark: { 'color-primary': '#5fd3a9' } };

/** Calls the hub with the product's API key and relays its answer. */
async function relay(res, path, body) {
  const made = await fetch(`${hub}${path}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  res.writeHead(made.status, { 'content-type': 'application/json' }).end(await made.text());
}

const server = createServer(async (req, res) => {
  const origin = `http://${req.headers.host}`;
  if (req.method === 'POST' && req.url === '/connect-session') {
    // Your backend decides who the end customer is and what they may connect.
    const body = JSON.parse((await new Promise((ok) => { let s = ''; req.on('data', (c) => (s += c)); req.on('end', () => ok(s || '{}')); })));
    await relay(res, '/api/v1/connect/sessions', { endCustomerId: 'customer-42', origins: [origin], ...(body.connectionId ? { connectionId: body.connectionId } : {}), theme });
    return;
  }
  if (req.method === 'POST' && req.url === '/embed-token') {
    // The widgets: a read-only view of the customer's accounts would leave out "connect".
    await relay(res, '/api/v1/embed-tokens', { endCustomerId: 'customer-42', scopes: ['read', 'connect'], origins: [origin], theme });
    return;
  }
  const { pathname } = new URL(req.url, origin);
  if (pathname === '/page.js') {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    return;
  }
  if (pathname === '/' || pathname === '/index.html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page.replaceAll('%HUB%', hub));
    return;
  }
  res.writeHead(404).end();
});
server.listen(port, '127.0.0.1', () => console.log(`Example product page on http://127.0.0.1:${server.address().port}`));
