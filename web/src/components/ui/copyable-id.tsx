/** An id shown in monospace with a one-click copy button. */
import { useState } from 'react';

/** `wrap`: a long value (a URL with a token) breaks over lines instead of being cut with an ellipsis. */
export function CopyableId({ value, label = 'id', wrap = false }: { value: string; label?: string; wrap?: boolean }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // No clipboard permission: select the text so the user can copy it by hand.
      const range = document.createRange();
      const node = document.getElementById(`copy-${value}`);
      if (node) {
        range.selectNodeContents(node);
        getSelection()?.removeAllRanges();
        getSelection()?.addRange(range);
      }
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <span className={wrap ? 'ui-copy ui-copy--wrap' : 'ui-copy'}>
      <code id={`copy-${value}`} className="ui-copy__value">
        {value}
      </code>
      <button type="button" className="ui-copy__button" onClick={() => void copy()} aria-label={`Copy ${label} ${value}`}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}
