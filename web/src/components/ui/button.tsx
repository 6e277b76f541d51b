/**
 * A button (or a link that looks like one). Variants: primary, secondary, danger (confirming a
 * destructive action), danger-quiet (offering one), ghost.
 */
import type { ButtonHTMLAttributes, ReactNode } from 'react';

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'danger-quiet' | 'ghost';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: 'sm' | 'md';
  /** Shows the button busy and disabled (an action in flight). */
  busy?: boolean;
  icon?: ReactNode;
}

export function Button({ variant = 'secondary', size = 'md', busy = false, icon, className, children, disabled, type = 'button', ...rest }: ButtonProps) {
  return (
    <button
      type={type}
      className={['ui-button', `ui-button--${variant}`, `ui-button--${size}`, className].filter(Boolean).join(' ')}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy ? <span className="ui-spinner" aria-hidden="true" /> : icon}
      {children}
    </button>
  );
}

/** The class names of a button, for links (`<Link className={buttonClass('primary')}>`). */
export const buttonClass = (variant: ButtonVariant = 'secondary', size: 'sm' | 'md' = 'md') => `ui-button ui-button--${variant} ui-button--${size}`;
