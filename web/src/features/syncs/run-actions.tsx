/** What an operator can do to a run: stop it, roll it back, run its sync again. */
import { useNavigate } from '@tanstack/react-router';
import { useCancelRun, useRollbackRun, useRunAgain } from '../../api/hooks/sync-runs';
import { isFinished, type SyncRun } from '../../api/hooks/syncs';
import { Can } from '../../components/can';
import { ConfirmButton } from '../../components/confirm-button';
import { Button } from '../../components/ui/button';
import { useToast } from '../../components/ui/toast';
import { modelName } from './model-name';

export function RunActions({ run }: { run: SyncRun }) {
  const cancel = useCancelRun();
  const rollback = useRollbackRun();
  const again = useRunAgain();
  const toast = useToast();
  const navigate = useNavigate();
  const model = modelName(run.model);
  const finished = isFinished(run);
  // A rollback run is not itself rolled back, and a run is rolled back once.
  const canRollBack = finished && !run.revertsRunId && !run.rolledBackBy && run.added + run.updated + run.deleted > 0;
  return (
    <Can scope="syncs:write">
      {finished && (
        <Button
          variant="primary"
          busy={again.isPending}
          onClick={() =>
            again.mutate(run.syncId, {
              onSuccess: (next) => {
                toast.success(`${model} sync started`, next.run.id);
                void navigate({ to: '/syncs/runs/$runId', params: { runId: next.run.id } });
              },
              onError: (error) => toast.problem(`Could not run ${model}`, error),
            })
          }
        >
          Run {model} again
        </Button>
      )}
      {!finished && (
        <ConfirmButton
          label="Cancel run"
          title={`Cancel this ${model} run?`}
          description="It stops at its next check, within a second. The records it has committed so far stay; roll it back afterwards to undo them."
          confirmLabel="Cancel the run"
          busy={cancel.isPending}
          onConfirm={() => cancel.mutateAsync(run.id).then(() => toast.success('Run cancelled', 'What it committed stays.'), (error: unknown) => toast.problem('Could not cancel the run', error))}
        />
      )}
      {canRollBack && (
        <ConfirmButton
          label="Roll back"
          title={`Roll back this ${model} run?`}
          description="Every record it added is removed and every record it changed or deleted gets its version from before the run back. The rollback is a run of its own; the sync's checkpoint goes back too."
          confirmLabel="Roll back the run"
          busy={rollback.isPending}
          onConfirm={() =>
            rollback.mutateAsync(run.id).then(
              ({ rollback: undo }) => toast.success('Run rolled back', `${undo.deleted} records removed, ${undo.updated} restored.`),
              (error: unknown) => toast.problem('Could not roll the run back', error),
            )
          }
        />
      )}
    </Can>
  );
}
