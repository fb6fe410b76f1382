export { createTestServer, waitFor } from './testServer'
export type { TestServer, TestServerOptions } from './testServer'
export { createTcpProxy } from './tcpProxy'
export type { TcpProxy } from './tcpProxy'
