/**
 * Members of the organization: add one (a new user gets a one-time password, shown once),
 * change a role, remove a member. The hub refuses what the signer's own role does not reach
 * (and removing the last owner); the refusal is shown as it comes.
 */
import { useId, useState, type FormEvent } from 'react';
import { ROLES, useAddMember, useChangeRole, useMembers, useRemoveMember, type Member, type Role } from '../../api/hooks/members';
import { useCan, useMe } from '../../api/hooks/auth';
import { Can } from '../../components/can';
import { ConfirmButton } from '../../components/confirm-button';
import { ProblemAlert, QueryView, Section } from '../../components/page';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { CopyableId } from '../../components/ui/copyable-id';
import { Dialog } from '../../components/ui/dialog';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table, TableHead } from '../../components/ui/table';
import { useToast } from '../../components/ui/toast';

function AddMember() {
  const add = useAddMember();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ email: '', name: '', role: 'developer' as Role });
  const [password, setPassword] = useState<string>();
  const ids = { email: useId(), name: useId(), role: useId() };
  const close = () => {
    setOpen(false);
    setPassword(undefined);
    setForm({ email: '', name: '', role: 'developer' });
    add.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(form, {
      onSuccess: (member) => {
        toast.success(`${member.email} added as ${member.role}`);
        if (member.initialPassword) setPassword(member.initialPassword);
        else close();
      },
    });
  };
  return (
    <>
      <Button variant="primary" onClick={() => setOpen(true)}>
        Add member
      </Button>
      <Dialog
        open={open}
        onClose={close}
        title={password ? 'Hand over the one-time password' : 'Add a member'}
        description={password ? `${form.email} signs in with it once; it is shown only now.` : 'Someone new gets a one-time password to sign in with; an existing user joins with theirs.'}
      >
        {password ? (
          <>
            <CopyableId value={password} label="one-time password" />
            <div className="ui-dialog__actions">
              <Button variant="primary" onClick={close}>
                Done
              </Button>
            </div>
          </>
        ) : (
          <form className="form" onSubmit={submit}>
            <div className="field">
              <label htmlFor={ids.email}>Email</label>
              <input id={ids.email} type="email" required maxLength={320} value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} autoComplete="off" />
            </div>
            <div className="field">
              <label htmlFor={ids.name}>Name</label>
              <input id={ids.name} required maxLength={200} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} autoComplete="off" />
            </div>
            <div className="field">
              <label htmlFor={ids.role}>Role</label>
              <select id={ids.role} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </div>
            {add.error && <ProblemAlert error={add.error} action="Not added" />}
            <div className="ui-dialog__actions">
              <Button onClick={close}>Cancel</Button>
              <Button type="submit" variant="primary" busy={add.isPending}>
                Add
              </Button>
            </div>
          </form>
        )}
      </Dialog>
    </>
  );
}

function RoleCell({ member, self }: { member: Member; self: boolean }) {
  const canWrite = useCan('members:write');
  const change = useChangeRole();
  const toast = useToast();
  if (!canWrite || self) return <Badge>{member.role}</Badge>;
  return (
    <select
      aria-label={`Role of ${member.email}`}
      value={member.role}
      disabled={change.isPending}
      onChange={(e) =>
        change.mutate(
          { userId: member.userId, role: e.target.value as Role },
          { onSuccess: (saved) => toast.success(`${saved.email} is now ${saved.role}`), onError: (error) => toast.problem(`Could not change the role of ${member.email}`, error) },
        )
      }
    >
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
  );
}

export function Members() {
  const members = useMembers({ limit: 250 });
  const me = useMe();
  const remove = useRemoveMember();
  const toast = useToast();
  return (
    <Section
      title="Members"
      actions={
        <Can scope="members:write">
          <AddMember />
        </Can>
      }
    >
      <QueryView query={members} label="Loading members">
        {(page) => (
          <Table caption="Members of the organization">
            <TableHead columns={['Member', 'Role', 'Joined', { label: 'Actions', hidden: true }]} />
            <tbody>
              {page.data.map((member) => {
                const self = member.userId === me.data?.id;
                return (
                  <tr key={member.userId}>
                    <td>
                      <span className="cell-main">
                        {member.name}
                        {self ? ' (you)' : ''}
                      </span>
                      <span className="muted cell-sub">{member.email}</span>
                    </td>
                    <td>
                      <RoleCell member={member} self={self} />
                    </td>
                    <td>
                      <RelativeTime value={member.createdAt} />
                    </td>
                    <td>
                      {!self && (
                        <Can scope="members:write">
                          <ConfirmButton
                            size="sm"
                            label="Remove"
                            title={`Remove ${member.email}?`}
                            description="They lose access to this organization at once; their dashboard sessions end. Their user stays, for other organizations."
                            busy={remove.isPending}
                            onConfirm={() =>
                              remove.mutateAsync(member.userId).then(
                                () => toast.success(`${member.email} removed`),
                                (error: unknown) => toast.problem(`Could not remove ${member.email}`, error),
                              )
                            }
                          />
                        </Can>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </QueryView>
    </Section>
  );
}
