// Sign-in to the console: the editor token form locally, a button to the hosted sign-in with Cognito.
import { Layout, Notice } from '../layout.js';
import { t, type Lang } from '../i18n.js';

export function SignInPage(props: { lang: Lang; error?: string; next?: string; redirectHref?: string }) {
  const s = t(props.lang);
  return (
    <Layout lang={props.lang} title={s.signInTitle} section="editor" narrow noindex altPath={`/${props.lang === 'es' ? 'en' : 'es'}/editor/sign-in`}>
      <h1>{s.signInTitle}</h1>
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      {props.redirectHref ? (
        <p>
          <a class="button" href={props.redirectHref}>
            {s.signInAccount}
          </a>
        </p>
      ) : (
      <form class="stack" method="post" action={`/${props.lang}/editor/sign-in`}>
        <div>
          <label for="token">{s.signInToken}</label>
          <p class="hint" id="token-hint">
            {s.signInHint}
          </p>
          <input type="password" id="token" name="token" required autocomplete="current-password" aria-describedby="token-hint" />
        </div>
        {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
        <button type="submit">{s.signIn}</button>
      </form>
      )}
    </Layout>
  );
}
