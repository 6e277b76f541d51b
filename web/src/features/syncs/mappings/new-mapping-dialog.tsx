/**
 * "New mapping": a connection and one of its models. The fields start from a stored record of
 * that model (each field imported as it is), so the operator edits a real shape, not a blank.
 */
import { useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../../../api/client';
import { useCreateMapping, type FieldMapping } from '../../../api/hooks/mappings';
import { ConnectionPicker, ModelPicker } from '../../../components/connection-pickers';
import { ProblemAlert } from '../../../components/page';
import { Button } from '../../../components/ui/button';
import { Dialog } from '../../../components/ui/dialog';
import { useToast } from '../../../components/ui/toast';

/** Fields as a stored record of the model has them, or just its id when none is stored yet. */
async function startingFields(connectionId: string, model: string): Promise<FieldMapping[]> {
  const page = await unwrap(api.GET('/api/v1/records', { params: { query: { connectionId, model, limit: 1 } } }));
  const keys = Object.keys(page.data[0]?.data ?? { id: null }).filter((key) => /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key));
  return keys.map((key) => ({ source: key, target: key, direction: 'import' as const }));
}

export function NewMappingDialog({ initialConnectionId }: { initialConnectionId: string | undefined }) {
  const [open, setOpen] = useState(false);
  const [connectionId, setConnectionId] = useState(initialConnectionId);
  const [model, setModel] = useState<string>();
  const [reading, setReading] = useState<unknown>();
  const create = useCreateMapping();
  const toast = useToast();
  const navigate = useNavigate();
  const close = () => {
    setOpen(false);
    setReading(undefined);
    create.reset();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!connectionId || !model) return;
    let fields: FieldMapping[];
    try {
      fields = await startingFields(connectionId, model);
    } catch (error) {
      setReading(error);
      return;
    }
    create.mutate(
      { connectionId, model, fields },
      {
        onSuccess: (mapping) => {
          close();
          toast.success(`Mapping of ${model} created`, `${fields.length} fields, each imported as it is: change them here.`);
          void navigate({ to: '/syncs/mappings/$mappingId', params: { mappingId: mapping.id } });
        },
      },
    );
  };
  return (
    <>
      <Button variant="primary" onClick={() => setOpen(true)}>
        New mapping
      </Button>
      <Dialog open={open} onClose={close} title="New mapping" description="Map one model of a connection: which provider fields are stored, under which names, and which are written back.">
        <form className="form" onSubmit={(event) => void submit(event)}>
          <ConnectionPicker value={connectionId} onChange={(id) => (setConnectionId(id), setModel(undefined))} />
          <ModelPicker connectionId={connectionId} value={model} onChange={setModel} anyLabel="Choose a model" />
          {Boolean(reading) && <ProblemAlert error={reading} action="Could not read a sample record" />}
          {create.error && <ProblemAlert error={create.error} action="Not created" />}
          <div className="ui-dialog__actions">
            <Button onClick={close}>Cancel</Button>
            <Button type="submit" variant="primary" busy={create.isPending} disabled={!connectionId || !model}>
              Create mapping
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
