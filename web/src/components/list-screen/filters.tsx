/** A list's filter bar and its choice field; text filters are `SearchBox`es. */
import { useId, type ReactNode } from 'react';

export function Filters({ children }: { children: ReactNode }) {
  return (
    <div className="filters" role="search">
      {children}
    </div>
  );
}

/**
 * A choice among fixed values. `any` names the empty choice ("Any"); without it a value is
 * always chosen. `names` shows a value otherwise than as it is sent ("pending" → "waiting").
 */
export function SelectFilter<V extends string>({
  label,
  value,
  options,
  onChange,
  any = 'Any',
  names,
}: {
  label: string;
  value: V | undefined;
  options: readonly V[];
  onChange: (value: V | undefined) => void;
  any?: string | null;
  names?: Partial<Record<V, string>>;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(e) => onChange((e.target.value || undefined) as V | undefined)}>
        {any !== null && <option value="">{any}</option>}
        {options.map((option) => (
          <option key={option} value={option}>
            {names?.[option] ?? option}
          </option>
        ))}
      </select>
    </div>
  );
}
