/**
 * Toasts: every action says what happened. `useToast()` gives `toast.success(title, detail?)`
 * and `toast.error(...)`; messages are announced by a polite live region and fade after a while.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ApiProblem } from '../../api/client';

type Tone = 'success' | 'error' | 'info';
interface ToastItem {
  id: number;
  tone: Tone;
  title: string;
  detail?: string | undefined;
}
export interface Toaster {
  success(title: string, detail?: string): void;
  error(title: string, detail?: string): void;
  info(title: string, detail?: string): void;
  /** Shows a failed action: the problem's title and detail when the hub sent one. */
  problem(action: string, error: unknown): void;
}

const ToastContext = createContext<Toaster | null>(null);
let nextId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const dismiss = useCallback((id: number) => setItems((all) => all.filter((t) => t.id !== id)), []);
  const push = useCallback(
    (tone: Tone, title: string, detail?: string) => {
      const id = nextId++;
      setItems((all) => [...all.slice(-3), { id, tone, title, detail }]);
      setTimeout(() => dismiss(id), tone === 'error' ? 10_000 : 5_000);
    },
    [dismiss],
  );
  const toaster = useMemo<Toaster>(
    () => ({
      success: (title, detail) => push('success', title, detail),
      error: (title, detail) => push('error', title, detail),
      info: (title, detail) => push('info', title, detail),
      problem: (action, error) => {
        if (error instanceof ApiProblem) push('error', `${action}: ${error.title}`, error.problem.detail);
        else push('error', action, error instanceof Error ? error.message : String(error));
      },
    }),
    [push],
  );
  return (
    <ToastContext.Provider value={toaster}>
      {children}
      <div className="ui-toasts" role="status" aria-live="polite">
        {items.map((item) => (
          <div key={item.id} className={`ui-toast ui-toast--${item.tone}`}>
            <div className="ui-toast__body">
              <strong>{item.title}</strong>
              {item.detail && <p>{item.detail}</p>}
            </div>
            <button type="button" className="ui-toast__close" aria-label="Dismiss" onClick={() => dismiss(item.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): Toaster {
  const toaster = useContext(ToastContext);
  if (!toaster) throw new Error('useToast needs a <ToastProvider> above it');
  return toaster;
}
