// Request schemas for country codes and topic slugs, checked against the taxonomy in force when a request is
// validated (editors add and remove entries at run time, so these cannot be enums fixed at start).
import { z } from '@hono/zod-openapi';
import { currentTaxonomy } from '../../core/taxonomy/taxonomy.js';

/** A generous bound on list lengths in requests, far above any real taxonomy. */
export const maxTaxonomyList = 200;

export const CountryCodeSchema = z
  .string()
  .superRefine((value, ctx) => {
    const taxonomy = currentTaxonomy();
    if (!taxonomy.isCountryCode(value)) ctx.addIssue({ code: 'custom', message: `"${value}" is not one of ${taxonomy.countryCodes.join(', ')}`, params: { reason: 'unknownCountry' } });
  })
  .openapi({ description: 'A country code from GET /api/taxonomy.' });

export const TopicSlugSchema = z
  .string()
  .superRefine((value, ctx) => {
    const taxonomy = currentTaxonomy();
    if (!taxonomy.isTopicSlug(value)) ctx.addIssue({ code: 'custom', message: `"${value}" is not one of ${taxonomy.topicSlugs.join(', ')}`, params: { reason: 'unknownTopic' } });
  })
  .openapi({ description: 'A topic slug from GET /api/taxonomy.' });

/** A comma-separated list in a query string, each value one of `values()` (read when the request is validated). */
export const csvOf = (values: () => readonly string[]) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const list = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const known = values();
      for (const item of list) {
        if (!known.includes(item)) {
          ctx.addIssue({ code: 'custom', message: `"${item}" is not one of ${known.join(', ')}`, params: { reason: 'unknownValue', value: item } });
          return z.NEVER;
        }
      }
      return list;
    });
