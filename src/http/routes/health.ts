// /healthz: the process answers. /readyz: the database answers and every migration is applied —
// what a load balancer should wait for before sending traffic. /metrics: Prometheus text format.
import { Hono } from 'hono';
import type { HttpEnv } from '../http-env.ts';

export function healthRoutes() {
  const app = new Hono<HttpEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const ready = await c.get('services').readiness();
    return c.json(ready, ready.status === 'ok' ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    const { registry } = c.get('services').metrics;
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
  return app;
}
