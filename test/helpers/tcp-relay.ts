/**
 * A TCP relay between a client process and a server, for fault tests that need a message lost on the way: while
 * held, what clients send is read and thrown away, so nothing a client sends in that window ever reaches the server.
 * Freezing the server (SIGSTOP) cannot do this: its kernel still accepts the bytes, and the server reads them when
 * it is thawed, even from a client killed meanwhile.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export class TcpRelay {
  private held = false;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpRelay> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    const relay = new TcpRelay(server, (server.address() as { port: number }).port);
    server.on('connection', (client) => relay.forward(client, connect(target.port, target.host)));
    return relay;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** From now on, bytes from clients are thrown away. */
  hold(): void {
    this.held = true;
  }

  /** Ends every connection open now (what was held is lost for good) and relays new ones in full again. */
  release(): void {
    for (const socket of this.sockets) socket.destroy();
    this.held = false;
  }

  async close(): Promise<void> {
    this.release();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(client: Socket, upstream: Socket): void {
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined); // the other side's close ends this one too
    }
    client.on('data', (chunk) => this.held || upstream.write(chunk));
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }
}
