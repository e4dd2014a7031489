// Transactional emails of the subscription flow (confirmation, "already subscribed", links renewed), in Spanish and English, each
// with a real text part. Plain templates: no personal data beyond the address they go to.
import type { Language } from '../shared/language.js';
import { escapeHtml } from '../shared/text.js';


const copy = {
  es: {
    confirmSubject: 'Confirma tu suscripción a las noticias de la Alianza del Pacífico',
    confirmIntro: 'Recibimos una solicitud para suscribir esta dirección a las noticias de la Alianza del Pacífico.',
    confirmAction: 'Confirmar mi suscripción',
    confirmExpiry: 'El enlace vence en 7 días. Si no lo pediste tú, ignora este mensaje: no te enviaremos nada más.',
    alreadySubject: 'Ya estás suscrito a las noticias de la Alianza del Pacífico',
    alreadyIntro: 'Alguien (quizá tú) pidió suscribir esta dirección, pero ya estás suscrito. No cambiamos nada.',
    alreadyAction: 'Cambiar mis preferencias',
    renewedSubject: 'Tus enlaces de las noticias de la Alianza del Pacífico cambiaron',
    renewedIntro: 'Anulamos todos los enlaces de preferencias que te enviamos antes. Usa este enlace nuevo para ver o cambiar tu suscripción; los enlaces para darte de baja de correos anteriores siguen funcionando.',
  },
  en: {
    confirmSubject: 'Confirm your subscription to Pacific Alliance News',
    confirmIntro: 'We received a request to subscribe this address to Pacific Alliance News.',
    confirmAction: 'Confirm my subscription',
    confirmExpiry: 'The link expires in 7 days. If this was not you, ignore this message: we will send nothing more.',
    alreadySubject: 'You are already subscribed to Pacific Alliance News',
    alreadyIntro: 'Someone (perhaps you) asked to subscribe this address, but you are already subscribed. Nothing was changed.',
    alreadyAction: 'Change my preferences',
    renewedSubject: 'Your Pacific Alliance News links have changed',
    renewedIntro: 'We withdrew every preference link we sent you before. Use this new link to see or change your subscription; the unsubscribe links in earlier emails keep working.',
  },
} as const;

const html = (lang: Language, paragraphs: string[], action: string, url: string, footer: string) => `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(action)}</title></head>
<body style="font-family:Arial,sans-serif;line-height:1.5;color:#1a1a1a;max-width:560px;margin:0 auto;padding:16px">
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
<p><a href="${escapeHtml(url)}" style="display:inline-block;background:#0b5394;color:#fff;padding:10px 18px;border-radius:4px;text-decoration:none">${escapeHtml(action)}</a></p>
<p style="font-size:13px;color:#555">${escapeHtml(footer)}</p>
</body></html>`;

export function confirmationEmail(lang: Language, confirmLink: string) {
  const t = copy[lang];
  return {
    subject: t.confirmSubject,
    text: `${t.confirmIntro}\n\n${t.confirmAction}:\n${confirmLink}\n\n${t.confirmExpiry}\n`,
    html: html(lang, [t.confirmIntro], t.confirmAction, confirmLink, t.confirmExpiry),
  };
}

/** A mail whose one action is the subscriber's preference centre. */
function preferencesLinkEmail(lang: Language, preferencesLink: string, subject: string, intro: string) {
  const t = copy[lang];
  return {
    subject,
    text: `${intro}\n\n${t.alreadyAction}:\n${preferencesLink}\n`,
    html: html(lang, [intro], t.alreadyAction, preferencesLink, ''),
  };
}

export const alreadySubscribedEmail = (lang: Language, preferencesLink: string) =>
  preferencesLinkEmail(lang, preferencesLink, copy[lang].alreadySubject, copy[lang].alreadyIntro);

/** After an editor withdrew a subscriber's links: the one fresh preference link goes to the address, never to the
 *  editor. */
export const linksRenewedEmail = (lang: Language, preferencesLink: string) =>
  preferencesLinkEmail(lang, preferencesLink, copy[lang].renewedSubject, copy[lang].renewedIntro);
