import type { Express } from 'express';
import { bindAddress } from './config';

/**
 * The express app under a Dapr JS SDK server, made to listen on this app's bind address
 * (BIND_ADDRESS, loopback by default): the SDK (3.18) calls `listen(port)` and so listens on
 * every interface, whatever its `serverHost` option says.
 */
export function sdkHttpApp(server: { daprServer: { getServer(): unknown } }): Express {
  const http = server.daprServer.getServer() as Express;
  const listen = http.listen.bind(http) as (
    port: number,
    host: string,
    ...rest: unknown[]
  ) => ReturnType<Express['listen']>;
  http.listen = ((port: number, ...rest: unknown[]) => listen(port, bindAddress(), ...rest)) as Express['listen'];
  return http;
}
