export { activeResources, createTestServer, freePort, waitFor } from './testServer.js'
export type { TestServer, TestServerOptions } from './testServer.js'
export { createTcpProxy } from './tcpProxy.js'
export type { TcpProxy } from './tcpProxy.js'
