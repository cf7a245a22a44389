// `node test/bench/children/bare-relay.mjs HOST PORT`: the floor for row 11 of `npm run bench`. A relay with nothing in it
// but `pipe` and TCP_NODELAY both ways, in a process of its own as the proxy is, so that the cost of any extra hop on
// this machine is measured beside the proxy's. It prints the port it listens on, then relays until killed.
import { connect, createServer } from 'node:net';

const [host, port] = process.argv.slice(2);
const server = createServer({ noDelay: true }, (client) => {
  const upstream = connect({ host, port: Number(port), noDelay: true });
  client.pipe(upstream).pipe(client);
  for (const [socket, other] of [
    [client, upstream],
    [upstream, client],
  ]) {
    socket.on('error', () => socket.destroy());
    socket.on('close', () => other.destroy());
  }
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
