/** A search field that applies on Enter or when cleared (the value lives in the URL). */
import { useEffect, useId, useState } from 'react';

export function SearchBox({ label, value, onSearch, placeholder }: { label: string; value: string | undefined; onSearch: (value: string | undefined) => void; placeholder?: string }) {
  const id = useId();
  const [draft, setDraft] = useState(value ?? '');
  useEffect(() => setDraft(value ?? ''), [value]);
  return (
    <form
      className="field search-box"
      onSubmit={(event) => {
        event.preventDefault();
        onSearch(draft.trim() || undefined);
      }}
    >
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="search"
        value={draft}
        placeholder={placeholder}
        onChange={(event) => {
          setDraft(event.target.value);
          if (!event.target.value) onSearch(undefined);
        }}
        onBlur={() => (draft.trim() || undefined) !== value && onSearch(draft.trim() || undefined)}
      />
    </form>
  );
}
