// @ts-check
// Checked against the SDK's published types (test/web/sdk-package.test.ts).
// The page's import map points `@patchbay/connect` at the hub's /sdk/connect.js; a bundler would
// resolve the same name from the npm package.
import { openConnect, ConnectError } from '@patchbay/connect';

const result = /** @type {HTMLOutputElement} */ (document.getElementById('result'));
const accounts = /** @type {HTMLElement} */ (document.getElementById('accounts'));

/** @param {'popup' | 'modal'} mode */
async function connect(mode) {
  // 1. Your backend makes a connect session for the signed-in customer.
  const reconnect = new URLSearchParams(location.search).get('reconnect');
  const session = await (await fetch('/connect-session', { method: 'POST', body: JSON.stringify({ connectionId: reconnect }) })).json();
  // 2. The SDK opens the Connect UI; the promise says what happened.
  try {
    const connection = await openConnect({ sessionToken: session.token, mode, onEvent: (e) => console.log('patchbay', e.type) });
    result.textContent = `Connected: ${connection.connectionId}`;
    result.dataset.connectionId = connection.connectionId;
  } catch (err) {
    result.textContent = err instanceof ConnectError ? `Not connected (${err.reason}): ${err.message}` : `Not connected: ${String(err)}`;
  }
}

// The widgets: your backend makes an embed token for the customer; the SDK's elements frame them.
async function showAccounts() {
  const embed = await (await fetch('/embed-token', { method: 'POST' })).json();
  const list = document.createElement('patchbay-connections');
  const progress = document.createElement('patchbay-sync-progress');
  for (const element of [list, progress]) element.setAttribute('token', embed.token);
  accounts.replaceChildren(list, progress);
}

document.getElementById('connect')?.addEventListener('click', () => void connect('popup'));
document.getElementById('connect-modal')?.addEventListener('click', () => void connect('modal'));
document.getElementById('show-accounts')?.addEventListener('click', () => void showAccounts());
