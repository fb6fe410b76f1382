export { activeResources, createTestServer, freePort, waitFor } from './testServer'
export type { TestServer, TestServerOptions } from './testServer'
export { createTcpProxy } from './tcpProxy'
export type { TcpProxy } from './tcpProxy'
