// The pages behind the links in every email: confirm a subscription, and one-click unsubscribe (RFC 8058). A GET
// shows a button and changes nothing (link scanners follow links); the button POSTs.
import { Layout, Notice } from './layout.js';
import { t, type Lang } from './i18n.js';

/** A page whose one button POSTs the hidden field back to the link. */
function LinkButtonPage(props: { lang: Lang; title: string; body: string; action: string; field: { name: string; value: string }; button: string }) {
  return (
    <Layout lang={props.lang} title={props.title} section="none" narrow noindex>
      <h1>{props.title}</h1>
      <p>{props.body}</p>
      <form method="post" action={props.action}>
        <input type="hidden" name={props.field.name} value={props.field.value} />
        <button type="submit">{props.button}</button>
      </form>
    </Layout>
  );
}

export function ConfirmPage(props: { lang: Lang; action: string }) {
  const s = t(props.lang);
  return <LinkButtonPage lang={props.lang} title={s.confirmTitle} body={s.confirmBody} action={props.action} field={{ name: 'confirm', value: 'yes' }} button={s.confirmButton} />;
}

export function ConfirmedPage(props: { lang: Lang; preferencesUrl: string }) {
  const s = t(props.lang);
  return (
    <Layout lang={props.lang} title={s.confirmedTitle} section="none" narrow noindex>
      <h1>{s.confirmedTitle}</h1>
      <Notice>{s.confirmedBody}</Notice>
      <p>
        <a class="button" href={props.preferencesUrl}>
          {s.prefsTitle}
        </a>
      </p>
    </Layout>
  );
}

export function OneClickUnsubscribePage(props: { lang: Lang; action: string }) {
  const s = t(props.lang);
  return (
    <LinkButtonPage lang={props.lang} title={s.leaveTitle} body={s.oneClickBody} action={props.action} field={{ name: 'List-Unsubscribe', value: 'One-Click' }} button={s.unsubscribe} />
  );
}

/** After a one-click unsubscribe. With a preference link, the undo is its preference centre (whose "subscribe again"
 *  button records a new consent); with an unsubscribe link, a button that can only subscribe again (`undoAction`):
 *  that link may have been forwarded, so it leads to nothing that could export or erase. */
export function OneClickDonePage(props: { lang: Lang; undoUrl?: string; undoAction?: string }) {
  const s = t(props.lang);
  return (
    <Layout lang={props.lang} title={s.unsubscribedTitle} section="none" narrow noindex>
      <h1>{s.unsubscribedTitle}</h1>
      <Notice>{s.oneClickDone}</Notice>
      {props.undoUrl ? (
        <p>
          {s.undoQuestion} <a href={props.undoUrl}>{s.undoFromPreferences}</a>
        </p>
      ) : null}
      {props.undoAction ? (
        <form method="post" action={props.undoAction}>
          <p>{s.undoQuestion}</p>
          <button type="submit">{s.undo}</button>
        </form>
      ) : null}
    </Layout>
  );
}
