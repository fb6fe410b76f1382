export default defineSocketHandler((sockets) => {
  sockets.on('echo', (_peer, value, ack) => ack(typeof value === 'string' ? value.slice(0, 100) : ''))
})
