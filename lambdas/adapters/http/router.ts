// Every route module starts from newRouter(): an OpenAPIHono whose schema-validation failures answer like every other
// error (a code and a message), and whose routes land in /api/openapi.json.
import { OpenAPIHono } from '@hono/zod-openapi';
import { errorBody } from './errors.js';

export function newRouter() {
  return new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        const first = issues[0];
        return c.json(errorBody('request.invalid', first ? `${first.path || 'body'}: ${first.message}` : 'Invalid request.', issues), 400);
      }
    },
  });
}

