import { useState } from 'preact/hooks';

/** Paste a bearer token (npm start prints a link that carries one; `npm run token` makes others). */
export function SignIn({ onToken, rejected }: { onToken: (token: string) => void; rejected: boolean }) {
  const [value, setValue] = useState('');
  return (
    <section class="card signin">
      <h2>Sign in</h2>
      <p>
        Paste a bearer token (a JWT) of the bank's issuer. It is kept in this tab only (session storage) and sent with
        every request.
      </p>
      {rejected ? (
        <div class="problem" role="alert">
          <strong class="problem-title">That is not a token</strong>
          <div class="problem-detail">A JWT has three dot-separated parts and names its subject.</div>
        </div>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onToken(value.trim());
        }}
      >
        <textarea
          name="token"
          rows={4}
          placeholder="eyJhbGciOi…"
          value={value}
          onInput={(e) => setValue((e.currentTarget as HTMLTextAreaElement).value)}
        />
        <button type="submit">Sign in</button>
      </form>
      <p class="hint">
        Locally: <code>npm run --silent token -- --sub ops --role teller,auditor</code>
      </p>
    </section>
  );
}
