// Static assets of the pages, served from /assets/ (the CSP allows same-origin styles and scripts, never inline
// scripts). Colours are chosen for WCAG AA contrast: text #1b1f24 on #fff, links #0a4f8f (8.6:1), muted #4a5560 (7.4:1).
import { createHash } from 'node:crypto';

export const siteCss = `
:root{--fg:#1b1f24;--muted:#4a5560;--bg:#fff;--soft:#f3f5f8;--line:#c9d1da;--brand:#0a4f8f;--brand-dark:#083b6b;--ok:#0b6b2f;--bad:#a4161a;--warn:#7a4b00}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{font-size:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--fg);background:var(--bg);line-height:1.55}
a{color:var(--brand)}a:hover{color:var(--brand-dark)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #f2a900;outline-offset:2px}
.skip{position:absolute;left:-9999px;top:0;background:#fff;padding:.5rem 1rem;z-index:10}
.skip:focus{left:.5rem;top:.5rem}
header.site{background:var(--brand);color:#fff}
header.site .bar{max-width:64rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center;justify-content:space-between}
header.site a{color:#fff}
header.site .brand{font-weight:700;font-size:1.1rem;text-decoration:none}
header.site nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0;padding:0}
header.site nav a[aria-current="page"]{text-decoration-thickness:3px}
main{max-width:64rem;margin:0 auto;padding:1rem 1rem 3rem}
main.narrow{max-width:44rem}
footer.site{border-top:1px solid var(--line);color:var(--muted);font-size:.9rem}
footer.site p{max-width:64rem;margin:0 auto;padding:1rem}
h1{font-size:1.8rem;line-height:1.25;margin:1rem 0 .75rem}
h2{font-size:1.3rem;margin:2rem 0 .5rem}
h3{font-size:1.1rem;margin:1.25rem 0 .25rem}
.lead{font-size:1.1rem;color:var(--muted)}
.muted{color:var(--muted)}
form.stack>*+*{margin-top:1rem}
label{font-weight:600;display:block}
fieldset{border:1px solid var(--line);border-radius:6px;padding:.75rem 1rem;margin:0}
legend{font-weight:700;padding:0 .25rem}
fieldset label,.choice{font-weight:400;display:flex;gap:.5rem;align-items:flex-start;padding:.15rem 0}
.feed-urls{list-style:none;margin:0;padding:0}.feed-urls li+li{margin-top:.35rem}.feed-urls code{display:block;word-break:break-all;font-size:.85rem}
.feed-list{list-style:none;margin:0;padding:0}.feed-list>li{padding:.6rem 0;border-bottom:1px solid var(--line)}.feed-list>li>strong{display:block}
.feed-index{max-height:26rem;overflow:auto;border:1px solid var(--line);border-radius:8px;padding:0 1rem}.feed-index h3{margin-top:1rem}
.chooser{background:var(--soft);border:1px solid var(--line);border-radius:8px;padding:1rem;margin:1rem 0 1.5rem}
.chooser h2{margin-top:0}
.chooser .row>div{flex:1 1 12rem}
.copy-field{display:flex;gap:.5rem;align-items:center;margin:.35rem 0}.copy-field label{flex:0 0 5.5rem;margin:0}
.copy-field input[type=text]{flex:1 1 auto;min-width:0;max-width:none;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem;background:#fff}
.copy-field button{padding:.45rem .8rem;flex:none}
@media (max-width:40rem){.copy-field{flex-wrap:wrap}.copy-field label{flex-basis:100%}}
.choices{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:0 1rem}
.hint{color:var(--muted);font-size:.92rem;margin:.15rem 0 .35rem;font-weight:400}
input[type=email],input[type=text],input[type=password],input[type=url],input[type=search],input[type=datetime-local],select,textarea{font:inherit;width:100%;max-width:32rem;padding:.5rem .6rem;border:1px solid #6b7680;border-radius:4px;background:#fff;color:var(--fg)}
textarea{max-width:100%}
input[type=checkbox],input[type=radio]{width:1.15rem;height:1.15rem;margin-top:.2rem;flex:none}
button,.button{font:inherit;font-weight:600;display:inline-block;padding:.55rem 1.1rem;border-radius:4px;border:2px solid var(--brand);background:var(--brand);color:#fff;cursor:pointer;text-decoration:none}
button:hover,.button:hover{background:var(--brand-dark);border-color:var(--brand-dark);color:#fff}
button.secondary,.button.secondary{background:#fff;color:var(--brand)}
button.danger{background:var(--bad);border-color:var(--bad)}
.row{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end}
.row>*{margin:0}
.consent{background:var(--soft);border-left:4px solid var(--brand);padding:.75rem 1rem;font-size:.95rem}
.notice{border:1px solid var(--line);border-left:6px solid var(--ok);background:#f1f8f3;padding:.75rem 1rem;border-radius:4px}
.notice.error{border-left-color:var(--bad);background:#fbeff0}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
ul.cards{list-style:none;padding:0;margin:0}
ul.cards>li{border-bottom:1px solid var(--line);padding:1rem 0}
ul.cards h2,ul.cards h3{margin:0 0 .25rem;font-size:1.15rem}
.meta{color:var(--muted);font-size:.9rem}
.tag{display:inline-block;background:var(--soft);border:1px solid var(--line);border-radius:999px;padding:0 .6rem;font-size:.85rem;margin:.1rem .2rem .1rem 0;color:var(--fg)}
article.item .content img{max-width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid var(--line)}
.table-wrap{overflow-x:auto;max-width:100%}
.matrix td,.matrix th{text-align:center}.matrix th[scope=row],.matrix caption{text-align:left}
/* Tables of records stack on phones: one block per row, each cell under its column's name. */
@media (max-width:40rem){table.stacked thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}table.stacked tr{display:block;border-bottom:2px solid var(--line);padding:.5rem 0}table.stacked th,table.stacked td{display:block;border:0;padding:.2rem 0}table.stacked td[data-label]::before{content:attr(data-label);display:block;font-weight:600;font-size:.85rem;color:var(--muted)}}
.break{overflow-wrap:anywhere}
.actions{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center}.actions form{margin:0}
details{border:1px solid var(--line);border-radius:6px;padding:.5rem .75rem;margin:.5rem 0}
summary{cursor:pointer;font-weight:600}
.pill{display:inline-block;border-radius:4px;padding:0 .45rem;font-size:.85rem;font-weight:700;background:#e7ecf2;color:#1b1f24}
.pill.sending,.pill.scheduled{background:#fff2cc;color:#4d3000}.pill.sent{background:#dcefe2;color:#0b4a22}.pill.cancelled,.pill.paused{background:#f6dcdd;color:#6d0f12}
progress{width:100%;height:1.25rem}
.previews{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}
.previews figure{margin:0}
.previews iframe{border:1px solid var(--line);background:#fff;height:640px}
.previews .phone iframe{width:375px;max-width:100%}
.previews .desktop iframe{width:800px;max-width:100%}
.side-by-side{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:1rem}
.tabs{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;padding:0;margin:.5rem 0 1rem;border-bottom:1px solid var(--line)}
.tabs a{display:inline-block;padding:.4rem .2rem}
.tabs a[aria-current="page"]{font-weight:700;text-decoration-thickness:3px}
@media (max-width:40rem){h1{font-size:1.5rem}}
`;

/** The editor console's only script: polls an edition's status while it is sending and moves the progress bar.
 *  The page works without it (a <noscript> meta refresh reloads it while an edition is sending). */
export const editorJs = `
(function () {
  // Times are entered and shown in the browser's zone: tell the server once (a cookie), then show the page in it.
  var field = document.querySelector('[data-browser-zone]');
  var zone = '';
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { zone = ''; }
  if (!field || !zone || field.value === zone) return;
  document.cookie = 'editor_tz=' + encodeURIComponent(zone) + '; path=/; max-age=31536000; samesite=lax';
  if (document.cookie.indexOf('editor_tz=' + encodeURIComponent(zone)) >= 0) location.reload();
})();
(function () {
  // The compose form's item picker: search the titles, filter by country and topic (an item tagged with none
  // is for everyone).
  var filter = document.querySelector('[data-picker-filter]');
  if (!filter) return;
  filter.hidden = false;
  var q = document.getElementById('pick-q'), country = document.getElementById('pick-country'), topic = document.getElementById('pick-topic');
  var labels = Array.prototype.slice.call(document.querySelectorAll('label[data-title]'));
  function has(list, code) { return !code || !list || (' ' + list + ' ').indexOf(' ' + code + ' ') >= 0; }
  function apply() {
    var text = q.value.trim().toLowerCase();
    labels.forEach(function (l) {
      var box = l.querySelector('input');
      var keep = (box && box.checked) || ((!text || l.getAttribute('data-title').indexOf(text) >= 0) && has(l.getAttribute('data-countries'), country.value) && has(l.getAttribute('data-topics'), topic.value));
      l.hidden = !keep;
    });
  }
  [q, country, topic].forEach(function (el) { el.addEventListener('input', apply); el.addEventListener('change', apply); });
})();
(function () {
  var box = document.querySelector('[data-edition-status]');
  if (!box) return;
  var url = box.getAttribute('data-edition-status');
  var bar = box.querySelector('progress');
  var text = box.querySelector('[data-progress-text]');
  var state = box.querySelector('[data-state]');
  function tick() {
    fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        if (bar) bar.value = Math.round((s.progress || 0) * 100);
        if (state) { state.textContent = s.stateLabel || s.state; state.className = 'pill ' + s.state; }
        if (text) text.textContent = s.summary || '';
        Object.keys(s.counts || {}).forEach(function (k) {
          var cell = box.querySelector('[data-count="' + k + '"]');
          if (cell) cell.textContent = String(s.counts[k]);
        });
        if (s.state === 'sending' || s.state === 'scheduled') setTimeout(tick, 1000);
        else if (s.state !== box.getAttribute('data-initial-state')) location.reload();
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  tick();
})();
`;

/** The feeds page's copy buttons: hidden without JavaScript (the address fields select on a tap), shown and wired
 *  here. */
export const copyJs = `
(function () {
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    var field = document.getElementById(button.getAttribute('aria-controls'));
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener('click', function () {
      var done = function () {
        button.textContent = button.getAttribute('data-copied');
        setTimeout(function () { button.textContent = label; }, 2000);
      };
      var select = function () { if (field) { field.focus(); field.select(); } };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(button.getAttribute('data-copy')).then(done, select);
      else select();
    });
  });
})();
`;

const hash = (body: string) => createHash('sha256').update(body).digest('hex').slice(0, 12);
/** Versioned asset paths: the hash changes with the content, so the files can be cached for a year. */
export const assetPaths = {
  css: `/assets/site.${hash(siteCss)}.css`,
  editorJs: `/assets/editor.${hash(editorJs)}.js`,
  copyJs: `/assets/copy.${hash(copyJs)}.js`,
};
