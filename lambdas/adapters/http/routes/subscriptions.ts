// Routes of this concern. (Empty until its issue lands: owned by that work.)
import { newRouter } from '../router.js';
import type { AppContext } from '../context.js';

export function subscriptionRoutes(_ctx: AppContext) {
  return newRouter();
}
