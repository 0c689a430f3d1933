import {createServer, type Server} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {tcpProbe} from '../../../src/arms/readiness.js'

let servers: Server[] = []
afterEach(() => {
  for (const s of servers) s.close()
  servers = []
})

function listen(onConn: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(onConn!)
  servers.push(server)
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as {port: number}).port)))
}

describe('tcp readiness probe (loopback)', () => {
  it('a plain probe counts any accepted connection', async () => {
    const port = await listen((s) => s.end())
    expect(await tcpProbe('127.0.0.1', port)).toBe(true)
  })
  it('with send/expect, a proxy that accepts and then closes (backend not listening yet) is not ready', async () => {
    const port = await listen((s) => setTimeout(() => s.end(), 20))
    expect(await tcpProbe('127.0.0.1', port, 'PING\r\n', '+PONG')).toBe(false)
  })
  it('with send/expect, a wrong reply is not ready and the right one is', async () => {
    const wrong = await listen((s) => s.once('data', () => s.end('-ERR loading\r\n')))
    const right = await listen((s) => s.once('data', (d) => s.end(String(d).startsWith('PING') ? '+PONG\r\n' : '-ERR\r\n')))
    expect(await tcpProbe('127.0.0.1', wrong, 'PING\r\n', '+PONG')).toBe(false)
    expect(await tcpProbe('127.0.0.1', right, 'PING\r\n', '+PONG')).toBe(true)
  })
  it('nothing listening is not ready', async () => {
    const port = await listen(() => {})
    servers.pop()!.close()
    await new Promise((r) => setTimeout(r, 20))
    expect(await tcpProbe('127.0.0.1', port)).toBe(false)
  })
})
