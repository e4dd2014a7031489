// Routes of this concern. (Empty until its issue lands: owned by that work.)
import { newRouter } from '../router.js';
import type { AppContext } from '../context.js';

export function feedRoutes(_ctx: AppContext) {
  return newRouter();
}
