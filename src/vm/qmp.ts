/**
 * A minimal QMP client (QEMU Machine Protocol: JSON lines over a unix socket). Connect when qemu
 * has created the socket, read the greeting, negotiate capabilities, then `execute` commands
 * (query-status, stop, cont, quit, …). Events are emitted as 'event'.
 */
import {EventEmitter} from 'node:events'
import {existsSync} from 'node:fs'
import {connect, type Socket} from 'node:net'

export interface QmpGreeting {
  QMP: {version: {qemu: {major: number; minor: number; micro: number}; package?: string}; capabilities: string[]}
}

export class QmpError extends Error {
  constructor(
    message: string,
    readonly qmpClass?: string,
  ) {
    super(message)
  }
}

type Pending = {resolve: (v: unknown) => void; reject: (e: Error) => void}

export class QmpClient extends EventEmitter {
  greeting: QmpGreeting | null = null
  /** performance.now() when the greeting arrived: the "QMP up" phase. */
  upAt = 0
  private buf = ''
  private pending: Pending[] = []
  private closed = false

  private constructor(private readonly sock: Socket) {
    super()
    sock.setEncoding('utf8')
    sock.on('data', (chunk: string) => this.onData(chunk))
    sock.on('close', () => {
      this.closed = true
      for (const p of this.pending.splice(0)) p.reject(new QmpError('QMP connection closed'))
      this.emit('close')
    })
    sock.on('error', () => {})
  }

  /**
   * Wait for the socket to appear and connect (qemu creates it a few ms after spawn). Rejects at the
   * deadline, or at once when `gone` resolves (qemu exited).
   */
  static async connect(path: string, timeoutMs: number, gone?: Promise<unknown>): Promise<QmpClient> {
    const deadline = performance.now() + timeoutMs
    let exited = false
    void gone?.then(() => (exited = true))
    for (;;) {
      if (exited) throw new QmpError('qemu exited before its QMP socket was up')
      if (existsSync(path)) {
        try {
          const sock = await new Promise<Socket>((resolve, reject) => {
            const s = connect(path)
            s.once('connect', () => resolve(s))
            s.once('error', reject)
          })
          const client = new QmpClient(sock)
          await client.handshake(Math.max(100, deadline - performance.now()))
          return client
        } catch (error) {
          if (error instanceof QmpError) throw error
          // ECONNREFUSED/ENOENT: created but not listening yet
        }
      }
      if (performance.now() > deadline) throw new QmpError(`QMP socket ${path} not up within ${timeoutMs} ms`)
      await new Promise((r) => setTimeout(r, 2))
    }
  }

  private handshake(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new QmpError('no QMP greeting')), timeoutMs)
      this.once('greeting', () => {
        clearTimeout(timer)
        this.execute('qmp_capabilities').then(() => resolve(), reject)
      })
    })
  }

  private onData(chunk: string): void {
    this.buf += chunk
    let nl: number
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim()
      this.buf = this.buf.slice(nl + 1)
      if (!line) continue
      let msg: Record<string, unknown>
      try {
        msg = JSON.parse(line) as Record<string, unknown>
      } catch {
        continue
      }
      if ('QMP' in msg) {
        this.greeting = msg as unknown as QmpGreeting
        this.upAt = performance.now()
        this.emit('greeting', msg)
      } else if ('event' in msg) {
        this.emit('event', msg)
      } else if ('return' in msg || 'error' in msg) {
        const p = this.pending.shift()
        if (!p) continue
        if ('error' in msg) {
          const e = msg.error as {class?: string; desc?: string}
          p.reject(new QmpError(e.desc ?? 'QMP error', e.class))
        } else p.resolve(msg.return)
      }
    }
  }

  /** Run a QMP command; resolves with its `return` value. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = 5000): Promise<T> {
    if (this.closed) return Promise.reject(new QmpError('QMP connection closed'))
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new QmpError(`QMP ${command}: no answer within ${timeoutMs} ms`)), timeoutMs)
      this.pending.push({
        resolve: (v) => {
          clearTimeout(timer)
          resolve(v as T)
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
      })
      this.sock.write(JSON.stringify(args ? {execute: command, arguments: args} : {execute: command}) + '\n')
    })
  }

  async status(): Promise<{status: string; running: boolean}> {
    return this.execute('query-status')
  }

  close(): void {
    this.sock.destroy()
  }
}
