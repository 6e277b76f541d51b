import { createFileRoute, useNavigate } from '@tanstack/react-router';
import { useId, useState, type FormEvent } from 'react';
import { useSignIn } from '../api/hooks/auth';
import { Button } from '../components/ui/button';
import { ProblemAlert } from '../components/page';
import { text } from '../lib/search';

export const Route = createFileRoute('/sign-in')({
  validateSearch: (search: Record<string, unknown>): { redirect?: string } => {
    const redirect = text(search.redirect, 500);
    // Only paths of this site: never an open redirect.
    return redirect?.startsWith('/') && !redirect.startsWith('//') ? { redirect } : {};
  },
  component: SignIn,
});

function SignIn() {
  const { redirect } = Route.useSearch();
  const navigate = useNavigate();
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const emailId = useId();
  const passwordId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate({ email, password }, { onSuccess: () => void navigate({ to: redirect ?? '/' }) });
  };
  return (
    <main className="sign-in" id="main">
      <div className="sign-in__card">
        <div className="brand brand--large">
          <img src="/favicon.svg" alt="" width="32" height="32" />
          <span>Patchbay</span>
        </div>
        <h1>Sign in</h1>
        <p className="muted">Use your Patchbay account. `npm start` prints the demo's.</p>
        <form onSubmit={submit} className="form">
          <div className="field">
            <label htmlFor={emailId}>Email</label>
            <input id={emailId} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={passwordId}>Password</label>
            <input id={passwordId} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          </div>
          {signIn.error && <ProblemAlert error={signIn.error} />}
          <Button type="submit" variant="primary" busy={signIn.isPending}>
            Sign in
          </Button>
        </form>
      </div>
    </main>
  );
}
