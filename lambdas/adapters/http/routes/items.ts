// Items, taxonomy and sources (foundation issue). Filled by the lead.
import { newRouter } from '../router.js';
import type { AppContext } from '../context.js';

export function itemRoutes(_ctx: AppContext) {
  return newRouter();
}
