/**
 * The engine's own phases of a container start, from its event stream: containerd's task events
 * (`ctr events`: /containers/create, /tasks/create, /tasks/start) and dockerd's container events
 * (`docker events`: create, start). One watcher per engine session, started before any timed
 * region; each event is timestamped on arrival with the host's monotonic clock, as the init's
 * markers are (here they arrive within about a millisecond of containerd's own timestamp). Podman
 * has no daemon to stream events from (isobench runs it with --events-backend none).
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {createInterface} from 'node:readline'
import type {PhaseMark} from '../../core/arm.js'

/** Phase names, in start order, as the startup chart orders them. */
export const ENGINE_PHASES = ['container-create', 'task-create', 'container-start', 'task-start'] as const

const CONTAINERD_TOPICS: Record<string, string> = {'/containers/create': 'container-create', '/tasks/create': 'task-create', '/tasks/start': 'task-start'}
const DOCKER_ACTIONS: Record<string, string> = {create: 'container-create', start: 'container-start'}

/** One `ctr events` line: `<date> <time> <zone> <zone name> <namespace> <topic> <json>` → [container id, phase]. */
export function parseContainerdEvent(line: string): [string, string] | null {
  const m = /^\S+ \S+ \S+ \S+ \S+ (\/\S+) (\{.*\})\s*$/.exec(line)
  const phase = m ? CONTAINERD_TOPICS[m[1]!] : undefined
  if (!m || !phase) return null
  try {
    const body = JSON.parse(m[2]!) as {id?: string; container_id?: string}
    const id = m[1] === '/containers/create' ? body.id : body.container_id
    return id ? [id, phase] : null
  } catch {
    return null
  }
}

/** One `docker events --format '{{json .}}'` line → [container name, phase]. */
export function parseDockerEvent(line: string): [string, string] | null {
  try {
    const e = JSON.parse(line) as {Type?: string; Action?: string; Actor?: {Attributes?: {name?: string}}}
    const phase = e.Type === 'container' && e.Action ? DOCKER_ACTIONS[e.Action] : undefined
    const name = e.Actor?.Attributes?.name
    return phase && name ? [name, phase] : null
  } catch {
    return null
  }
}

export class EventWatcher {
  private child: ChildProcess | null = null
  private readonly marks = new Map<string, PhaseMark[]>()

  /** argv: the events command (the engine's CLI); parse: one line → [container, phase]. */
  constructor(
    private readonly argv: string[],
    private readonly parse: (line: string) => [string, string] | null,
  ) {}

  /** Start the stream; resolves once the client runs (events from then on are seen). */
  async start(): Promise<void> {
    const child = spawn(this.argv[0]!, this.argv.slice(1), {stdio: ['ignore', 'pipe', 'ignore']})
    this.child = child
    createInterface({input: child.stdout!}).on('line', (line) => {
      const at = performance.now()
      const e = this.parse(line)
      if (!e) return
      const list = this.marks.get(e[0]) ?? []
      list.push({phase: e[1], at})
      this.marks.set(e[0], list)
    })
    // The client subscribes within a few ms of starting; prepare() is not timed, so wait comfortably.
    await new Promise((r) => setTimeout(r, 300))
  }

  /** The engine's phases of this container seen so far (and forgets them). */
  take(container: string): PhaseMark[] {
    const list = this.marks.get(container) ?? []
    this.marks.delete(container)
    return list
  }

  stop(): void {
    try {
      this.child?.kill('SIGKILL')
    } catch {
      // gone
    }
    this.child = null
  }
}
