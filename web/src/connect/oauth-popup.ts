/**
 * OAuth in a popup: the Connect UI opens the hub's `/oauth/connect/{integrationId}` in a window
 * and watches it. While the window is at the provider it cannot be read; once the provider sends
 * it back to the hub (same origin), the page's `patchbay-connect-result` tells what happened.
 */
export type PopupOutcome = { ok: true; connectionId: string } | { ok: false; failure: string };

const WIDTH = 520;
const HEIGHT = 700;

function readResult(popup: Window): PopupOutcome | undefined {
  try {
    if (popup.location.origin !== window.location.origin || popup.document.readyState !== 'complete') return undefined;
    const meta = popup.document.querySelector('meta[name="patchbay-connect-result"]');
    if (!meta) return undefined;
    const result = JSON.parse(meta.getAttribute('content') ?? '{}') as { ok?: boolean; connectionId?: string; failure?: string };
    return result.ok && result.connectionId ? { ok: true, connectionId: result.connectionId } : { ok: false, failure: result.failure ?? 'provider_error' };
  } catch {
    // At the provider: another origin, not readable yet.
    return undefined;
  }
}

/** Opens the flow; resolves when it ends, the window is closed (`popup_closed`) or blocked (`popup_blocked`). */
export function runOAuthPopup(url: string): { outcome: Promise<PopupOutcome>; cancel: () => void } {
  const left = Math.max(0, window.screenX + (window.outerWidth - WIDTH) / 2);
  const top = Math.max(0, window.screenY + (window.outerHeight - HEIGHT) / 2);
  const popup = window.open(url, 'patchbay-oauth', `popup=yes,width=${WIDTH},height=${HEIGHT},left=${left},top=${top}`);
  let timer: ReturnType<typeof setInterval> | undefined;
  const outcome = new Promise<PopupOutcome>((resolve) => {
    if (!popup) {
      resolve({ ok: false, failure: 'popup_blocked' });
      return;
    }
    timer = setInterval(() => {
      if (popup.closed) {
        clearInterval(timer);
        resolve({ ok: false, failure: 'popup_closed' });
        return;
      }
      const result = readResult(popup);
      if (result) {
        clearInterval(timer);
        popup.close();
        resolve(result);
      }
    }, 250);
  });
  return {
    outcome,
    cancel: () => {
      if (timer) clearInterval(timer);
      if (popup && !popup.closed) popup.close();
    },
  };
}
