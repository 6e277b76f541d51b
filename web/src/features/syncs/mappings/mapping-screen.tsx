/** One mapping: its fields and conflict strategy to edit, and a live preview on sample records. */
import { Link, getRouteApi, useNavigate } from '@tanstack/react-router';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useCan } from '../../../api/hooks/auth';
import { CONFLICT_STRATEGIES, useDeleteMapping, useMapping, useUpdateMapping, type ConflictStrategy, type FieldMapping, type Mapping } from '../../../api/hooks/mappings';
import { Can } from '../../../components/can';
import { ConfirmButton } from '../../../components/confirm-button';
import { PageHeader, ProblemAlert, QueryView, Section } from '../../../components/page';
import { Button } from '../../../components/ui/button';
import { useToast } from '../../../components/ui/toast';
import { FieldsEditor } from './fields-editor';
import { MappingPreview } from './mapping-preview';
import '../../../styles/syncs.css';

const route = getRouteApi('/_app/syncs/mappings/$mappingId');

const STRATEGY_HELP: Record<ConflictStrategy, string> = {
  last_modified: 'The later change wins.',
  source_priority: 'The side named below always wins.',
  manual_review: 'Held in Conflicts for a person to decide.',
};

function MappingForm({ mapping }: { mapping: Mapping }) {
  const canWrite = useCan('syncs:write');
  const update = useUpdateMapping(mapping.id);
  const toast = useToast();
  const strategyId = useId();
  const priorityId = useId();
  const [fields, setFields] = useState<FieldMapping[]>(mapping.fields);
  const [strategy, setStrategy] = useState(mapping.conflictStrategy as ConflictStrategy);
  const [priority, setPriority] = useState(mapping.sourcePriority as 'provider' | 'patchbay');
  useEffect(() => {
    setFields(mapping.fields);
    setStrategy(mapping.conflictStrategy as ConflictStrategy);
    setPriority(mapping.sourcePriority as 'provider' | 'patchbay');
  }, [mapping]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate(
      { fields, conflictStrategy: strategy, sourcePriority: priority, conflictRules: mapping.conflictRules },
      { onSuccess: () => toast.success('Mapping saved', 'The next sync stores records through it; the preview below shows how.') },
    );
  };
  return (
    <form className="form" onSubmit={submit}>
      <FieldsEditor fields={fields} onChange={setFields} readOnly={!canWrite} />
      <div className="filters">
        <div className="field">
          <label htmlFor={strategyId}>When both sides change a field</label>
          <select id={strategyId} value={strategy} disabled={!canWrite} onChange={(e) => setStrategy(e.target.value as ConflictStrategy)} aria-describedby={`${strategyId}-help`}>
            {CONFLICT_STRATEGIES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
          </select>
          <p id={`${strategyId}-help`} className="field__help">
            {STRATEGY_HELP[strategy]}
          </p>
        </div>
        {strategy === 'source_priority' && (
          <div className="field">
            <label htmlFor={priorityId}>Winning side</label>
            <select id={priorityId} value={priority} disabled={!canWrite} onChange={(e) => setPriority(e.target.value as 'provider' | 'patchbay')}>
              <option value="provider">the provider</option>
              <option value="patchbay">Patchbay</option>
            </select>
          </div>
        )}
      </div>
      {update.error && <ProblemAlert error={update.error} action="Not saved" />}
      <Can scope="syncs:write">
        <div>
          <Button type="submit" variant="primary" busy={update.isPending}>
            Save mapping
          </Button>
        </div>
      </Can>
    </form>
  );
}

export function MappingScreen() {
  const { mappingId } = route.useParams();
  const mapping = useMapping(mappingId);
  const remove = useDeleteMapping();
  const toast = useToast();
  const navigate = useNavigate();
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/syncs/mappings">Mappings</Link> / <span aria-current="page">{mappingId}</span>
      </nav>
      <QueryView query={mapping} label="Loading the mapping">
        {(m) => (
          <>
            <PageHeader
              title={`${m.model} mapping`}
              meta={
                <span className="muted">
                  for{' '}
                  {m.connectionId ? (
                    <Link to="/connections/$connectionId" params={{ connectionId: m.connectionId }} className="mono">
                      {m.connectionId}
                    </Link>
                  ) : (
                    <span className="mono">{m.integrationId}</span>
                  )}
                </span>
              }
              actions={
                <Can scope="syncs:write">
                  <ConfirmButton
                    label="Delete mapping"
                    title={`Delete the ${m.model} mapping?`}
                    description="Stored records keep their data; later syncs store the provider's fields as they come, and nothing is written back through it."
                    busy={remove.isPending}
                    onConfirm={() =>
                      remove.mutateAsync(m.id).then(
                        () => {
                          toast.success('Mapping deleted');
                          void navigate({ to: '/syncs/mappings' });
                        },
                        (error: unknown) => toast.problem('Could not delete the mapping', error),
                      )
                    }
                  />
                </Can>
              }
            />
            <Section title="Fields">
              <MappingForm mapping={m} />
            </Section>
            <Section title="Preview">
              <MappingPreview mappingId={m.id} connectionId={m.connectionId} version={m.updatedAt} />
            </Section>
          </>
        )}
      </QueryView>
    </>
  );
}
