/**
 * Creating or editing an endpoint: URL, description, the event types it receives (all when
 * none is ticked, each with its example to see what arrives), an optional payload filter, and
 * custom headers. Stored header values come back masked, so headers are sent only when edited.
 */
import { useId, useState, type FormEvent } from 'react';
import type { Endpoint } from '../../api/hooks/webhooks';
import { useCreateEndpoint, useEventTypes, useUpdateEndpoint, type EndpointPatch, type NewEndpoint } from '../../api/hooks/webhooks-out';
import { ProblemAlert } from '../../components/page';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';
import { JsonViewer } from '../../components/ui/json-viewer';
import { useToast } from '../../components/ui/toast';
import { FilterPreview } from './filter-preview';
import { HeadersEditor, headersOf, rowsOf, type HeaderRow } from './headers-editor';
import '../../styles/webhooks.css';

interface Draft {
  url: string;
  description: string;
  eventTypes: string[];
  filter: string;
  headers: HeaderRow[];
}

const draftOf = (endpoint?: Endpoint): Draft => ({
  url: endpoint?.url ?? '',
  description: endpoint?.description ?? '',
  eventTypes: endpoint?.eventTypes ?? [],
  filter: endpoint?.filter ? JSON.stringify(endpoint.filter, null, 2) : '',
  headers: rowsOf(endpoint?.headers ?? {}),
});

/** The filter text as an object, null when empty, or an error message. */
function parseFilter(text: string): { value: Record<string, unknown> | null } | { error: string } {
  if (!text.trim()) return { value: null };
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return { error: 'A filter is a JSON object, e.g. {"plan": "pro"}.' };
    return { value: value as Record<string, unknown> };
  } catch (error) {
    return { error: `Not JSON: ${(error as Error).message}` };
  }
}

function EventTypePicker({ selected, onChange }: { selected: string[]; onChange: (types: string[]) => void }) {
  const types = useEventTypes({ limit: 100 });
  const [preview, setPreview] = useState<string>();
  const shown = types.data?.data.find((t) => t.name === preview);
  return (
    <fieldset className="field checkbox-group">
      <legend>Event types</legend>
      <p className="field__help">None ticked: every event type, including ones added later.</p>
      {types.error && <ProblemAlert error={types.error} />}
      <div className="checkbox-grid">
        {(types.data?.data ?? [])
          .filter((t) => !t.archived)
          .map((t) => (
            <label key={t.name} className="checkbox" title={t.description}>
              <input
                type="checkbox"
                checked={selected.includes(t.name)}
                onChange={(e) => {
                  onChange(e.target.checked ? [...selected, t.name] : selected.filter((n) => n !== t.name));
                  if (e.target.checked) setPreview(t.name);
                }}
              />
              <span className="mono">{t.name}</span>
            </label>
          ))}
      </div>
      {shown && shown.example !== null && shown.example !== undefined && (
        <div className="example-preview">
          <p className="field__help">
            What <span className="mono">{shown.name}</span> delivers (its example):
          </p>
          <JsonViewer value={shown.example} label={`Example of ${shown.name}`} />
        </div>
      )}
    </fieldset>
  );
}

export function EndpointFormDialog({ endpoint, open, onClose }: { endpoint?: Endpoint; open: boolean; onClose: () => void }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(endpoint));
  const [headersTouched, setHeadersTouched] = useState(false);
  const create = useCreateEndpoint();
  const update = useUpdateEndpoint(endpoint?.id ?? '');
  const mutation = endpoint ? update : create;
  const toast = useToast();
  const ids = { url: useId(), description: useId(), filter: useId() };
  const filter = parseFilter(draft.filter);
  const eventTypes = useEventTypes({ limit: 100 });
  const chosen = (eventTypes.data?.data ?? []).filter((t) => draft.eventTypes.includes(t.name));
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const close = () => {
    mutation.reset();
    setDraft(draftOf(endpoint));
    setHeadersTouched(false);
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if ('error' in filter) return;
    const body: NewEndpoint & EndpointPatch = {
      url: draft.url.trim(),
      description: draft.description.trim(),
      eventTypes: draft.eventTypes.length ? draft.eventTypes : null,
      filter: filter.value,
    };
    if (!endpoint || headersTouched) body.headers = headersOf(draft.headers);
    const done = (saved: { url: string }) => {
      toast.success(endpoint ? 'Endpoint saved' : 'Endpoint created', endpoint ? saved.url : `${saved.url} now receives events; its signing secret is on its page.`);
      close();
    };
    if (endpoint) update.mutate(body, { onSuccess: done });
    else create.mutate(body, { onSuccess: done });
  };
  return (
    <Dialog open={open} onClose={close} title={endpoint ? 'Edit endpoint' : 'New endpoint'} description="Events are sent as signed POST requests (Standard Webhooks) to this URL.">
      <form className="form" onSubmit={submit}>
        <div className="field">
          <label htmlFor={ids.url}>URL</label>
          <input id={ids.url} type="url" required placeholder="https://example.com/webhooks/patchbay" value={draft.url} onChange={(e) => set({ url: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={ids.description}>Description (optional)</label>
          <input id={ids.description} value={draft.description} onChange={(e) => set({ description: e.target.value })} />
        </div>
        <EventTypePicker selected={draft.eventTypes} onChange={(eventTypes) => set({ eventTypes })} />
        <div className="field">
          <label htmlFor={ids.filter}>Payload filter (optional)</label>
          <textarea
            id={ids.filter}
            rows={3}
            className="mono"
            placeholder='{"plan": {"$in": ["pro", "enterprise"]}}'
            value={draft.filter}
            onChange={(e) => set({ filter: e.target.value })}
            aria-invalid={'error' in filter || undefined}
            aria-describedby={`${ids.filter}-help`}
          />
          <p id={`${ids.filter}-help`} className="field__help">
            {'error' in filter ? filter.error : 'Only events whose data matches are sent (MongoDB-style: equality, $in, $gte, anchored $regex…).'}
          </p>
          {'value' in filter && <FilterPreview filter={filter.value} types={chosen} />}
        </div>
        <HeadersEditor
          rows={draft.headers}
          onChange={(headers) => {
            setHeadersTouched(true);
            set({ headers });
          }}
          masked={Boolean(endpoint) && !headersTouched}
        />
        {mutation.error && <ProblemAlert error={mutation.error} action={endpoint ? 'Not saved' : 'Not created'} />}
        <div className="ui-dialog__actions">
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant="primary" busy={mutation.isPending} disabled={'error' in filter}>
            {endpoint ? 'Save endpoint' : 'Create endpoint'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
