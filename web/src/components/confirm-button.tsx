/** A button for a destructive action that asks first, in a dialog naming what will happen. */
import { useState, type ReactNode } from 'react';
import { Button } from './ui/button';
import { Dialog } from './ui/dialog';

export interface ConfirmButtonProps {
  label: string;
  title: string;
  description: ReactNode;
  confirmLabel?: string;
  busy?: boolean;
  size?: 'sm' | 'md';
  /** Runs on confirm; the dialog closes when it settles. */
  onConfirm: () => Promise<unknown>;
}

export function ConfirmButton({ label, title, description, confirmLabel = label, busy = false, size = 'md', onConfirm }: ConfirmButtonProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="danger-quiet" size={size} onClick={() => setOpen(true)}>
        {label}
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title={title}
        description={description}
        actions={
          <>
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button variant="danger" busy={busy} onClick={() => void onConfirm().finally(() => setOpen(false))}>
              {confirmLabel}
            </Button>
          </>
        }
      />
    </>
  );
}
