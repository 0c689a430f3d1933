/**
 * waitReady for every arm, by the workload's readiness rule (core/arm.ts ReadinessRule): the init's
 * `ISOBENCH ready` marker, its `ISOBENCH exit` marker, the first output line containing a text, or
 * the first successful host-side TCP connect / HTTP response through the arm's network (its
 * endpoint). Every time is the host's monotonic clock at arrival. Rejects with ArmError('not-ready')
 * at the deadline or when the instance exits first (for `exit`: when it exits without the marker).
 */
import {connect} from 'node:net'
import {request} from 'node:http'
import {ArmError} from '../core/errors.js'
import {exitStatusText, type ExitStatus, type Instance, type ReadyResult} from '../core/arm.js'
import type {MarkerStream} from '../core/markers.js'

const PROBE_INTERVAL_MS = 5

export async function waitReady(instance: Instance, markers: MarkerStream): Promise<ReadyResult> {
  const {ready} = instance.spec.workload
  const timeoutMs = instance.spec.readyTimeoutMs
  let status: ExitStatus | null = null
  const exited = instance.exited.then((s) => ((status = s), true))
  try {
    if (ready.kind === 'marker' || ready.kind === 'exit') {
      // The exit marker comes before the instance ends: give it a moment to arrive after the exit is seen.
      const ended = ready.kind === 'exit' ? exited.then(() => new Promise((r) => setTimeout(r, 100))) : exited
      const mark = await markers.waitFor(ready.kind === 'exit' ? 'exit' : 'ready', timeoutMs, ended)
      return {
        readyAt: mark.at,
        phases: [...markers.marks.filter((m) => m.at <= mark.at && m.phase !== 'ready' && m.phase !== 'exit'), {phase: 'ready', at: mark.at}],
      }
    }
    if (ready.kind === 'log') {
      const at = await markers.waitForText(ready.text, timeoutMs, exited)
      return {readyAt: at, phases: [...markers.marks.filter((m) => m.at <= at), {phase: 'ready', at}]}
    }
    const host = instance.endpoint?.host ?? '127.0.0.1'
    const port = instance.endpoint?.ports[ready.port] ?? ready.port
    const deadline = instance.startedAt + timeoutMs
    let gone = false
    void exited.then(() => (gone = true))
    while (performance.now() < deadline && !gone) {
      const ok = ready.kind === 'tcp' ? await tcpProbe(host, port, ready.send, ready.expect) : await httpProbe(host, port, ready.path, ready.status)
      if (ok) {
        const at = performance.now()
        return {readyAt: at, phases: [...markers.marks, {phase: 'ready', at}]}
      }
      await new Promise((r) => setTimeout(r, PROBE_INTERVAL_MS))
    }
    throw new Error(gone ? 'instance exited before it was ready' : `not ready within ${timeoutMs} ms`)
  } catch (error) {
    // Say how it ended where it did: "instance exited (137, OOM-killed) before …".
    const message = status ? (error as Error).message.replace('instance exited', `instance ${exitStatusText(status)}`) : (error as Error).message
    throw new ArmError(`${instance.id}: ${message}`, 'not-ready', {lastOutput: markers.tail(30)})
  }
}

/** Connected (and, with `send`, answered with a reply starting with `expect`) within 500 ms. */
export function tcpProbe(host: string, port: number, send?: string, expect = ''): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({host, port})
    let settled = false
    const done = (ok: boolean) => {
      if (settled) return
      settled = true
      sock.destroy()
      resolve(ok)
    }
    let reply = ''
    sock.setTimeout(500, () => done(false))
    sock.once('connect', () => {
      if (send === undefined) return done(true)
      sock.write(send)
    })
    sock.on('data', (chunk) => {
      reply += chunk.toString('latin1')
      if (reply.length >= expect.length) done(reply.startsWith(expect))
    })
    sock.once('end', () => done(false))
    sock.once('error', () => done(false))
  })
}

/** An HTTP GET answered within 1 s with `status` (default: any status below 500, so a 404 of a wrong path still proves the server is up). */
export function httpProbe(host: string, port: number, path: string, status?: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({host, port, path, method: 'GET', timeout: 1000, agent: false}, (res) => {
      res.resume()
      const code = res.statusCode ?? 500
      resolve(status === undefined ? code < 500 : code === status)
    })
    req.once('error', () => resolve(false))
    req.once('timeout', () => {
      req.destroy()
      resolve(false)
    })
    req.end()
  })
}
