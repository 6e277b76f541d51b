/** A connection and one of its models, chosen from what the environment has (records, mappings). */
import { useId } from 'react';
import { useQuery } from '@tanstack/react-query';
import { connectionSyncsQuery, useConnections } from '../api/hooks/connections';
import { useEnvironment } from '../api/session';

export function ConnectionPicker({ value, onChange }: { value: string | undefined; onChange: (connectionId: string | undefined) => void }) {
  const id = useId();
  const connections = useConnections({ limit: 250 });
  const options = connections.data?.data ?? [];
  return (
    <div className="field">
      <label htmlFor={id}>Connection</label>
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">Choose a connection</option>
        {value && !options.some((c) => c.id === value) && <option value={value}>{value}</option>}
        {options.map((c) => (
          <option key={c.id} value={c.id}>
            {c.id} ({c.connectorKey})
          </option>
        ))}
      </select>
    </div>
  );
}

/** `anyLabel`: the empty choice ("Every model"), or none when a model must be chosen. */
export function ModelPicker({ connectionId, value, onChange, anyLabel = 'Every model' }: { connectionId: string | undefined; value: string | undefined; onChange: (model: string | undefined) => void; anyLabel?: string }) {
  const id = useId();
  const syncs = useQuery({ ...connectionSyncsQuery(useEnvironment(), connectionId ?? ''), enabled: Boolean(connectionId) });
  const models = connectionId ? (syncs.data?.models ?? []).map((m) => m.model) : [];
  return (
    <div className="field">
      <label htmlFor={id}>Model</label>
      <select id={id} value={value ?? ''} disabled={!connectionId} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">{anyLabel}</option>
        {value && !models.includes(value) && <option value={value}>{value}</option>}
        {models.map((model) => (
          <option key={model} value={model}>
            {model}
          </option>
        ))}
      </select>
    </div>
  );
}
