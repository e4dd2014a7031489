// A TCP proxy a test puts between the service and an engine, to take the engine away and bring it back: `cut()` drops
// every open connection (a reset mid-request) and stops listening (new connections are refused); `restore()` listens
// again on the same port.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  endpoint: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function tcpProxy(target: string): Promise<TcpProxy> {
  const to = new URL(target);
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(Number(to.port), to.hostname);
        track(client);
        track(upstream);
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server ? server.close(() => resolve()) : resolve();
      server = undefined;
    });
  await listen();
  return { endpoint: `http://127.0.0.1:${port}`, cut: stop, restore: listen, close: stop };
}

/** An HTTP stand-in in front of SES local that answers every send with SES's throttling error while `throttling` is
 *  set, and passes everything else through (SES local's store stays readable). */
export async function throttlingGate(target: string): Promise<{ endpoint: string; throttling: boolean; close(): Promise<void> }> {
  const { createServer: createHttpServer } = await import('node:http');
  const gate = { endpoint: '', throttling: false, close: async () => undefined as void };
  const server = createHttpServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (gate.throttling && req.method === 'POST') {
      res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' });
      res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>;
    const out = await fetch(`${target}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    const body = Buffer.from(await out.arrayBuffer());
    const answer: Record<string, string> = {};
    out.headers.forEach((value, key) => {
      if (!['content-encoding', 'transfer-encoding', 'content-length', 'connection'].includes(key)) answer[key] = value;
    });
    res.writeHead(out.status, answer);
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gate.endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  gate.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return gate;
}
