// Feeds: pure core (scopes and URLs, renderers, validators, OPML, autodiscovery links). See docs/feeds.md.
export * from './scopes.js';
export * from './render.js';
export * from './conditional.js';
export * from './service.js';
export * from './opml.js';
export * from './autodiscovery.js';
export { xmlSafe, cdataSafe, feedSafeHtml, safeHttpUrl } from './text.js';
