export { createTestServer, waitFor } from './testServer'
export type { TestServer, TestServerOptions } from './testServer'
