/**
 * The bookkeeping every arm does for its instances, written once: the per-instance state it keeps
 * (looked up by the Instance it handed out), the markers read from a child's output, and the
 * Instance object itself.
 */
import type {Readable} from 'node:stream'
import type {Instance, InstanceSpec} from '../core/arm.js'
import {ArmError} from '../core/errors.js'
import {MarkerStream} from '../core/markers.js'

/**
 * Per-instance state of one arm; looking up an instance the arm did not start is ArmError('failed').
 * A stopped instance leaves the running set (values()) but can still be looked up, so a second stop
 * finds it; the state goes with the Instance (weakly held).
 */
export class InstanceTable<T> {
  private readonly states = new WeakMap<Instance, T>()
  private readonly live = new Set<Instance>()

  constructor(private readonly arm: string) {}

  add(instance: Instance, state: T): Instance {
    this.states.set(instance, state)
    this.live.add(instance)
    return instance
  }

  get(instance: Instance): T {
    const state = this.states.get(instance)
    if (state === undefined) throw new ArmError(`${instance.id} was not started by the ${this.arm} arm`, 'failed')
    return state
  }

  /**
   * Stop an instance: `kill` its state (awaited when it returns a promise), wait for the instance's
   * exit, and take it out of the running set. ArmError('failed') for an instance this arm did not start.
   */
  async stop(instance: Instance, kill: (state: T) => unknown): Promise<void> {
    await kill(this.get(instance))
    await instance.exited
    this.delete(instance)
  }

  /** The instance was stopped: it leaves the running set. */
  delete(instance: Instance): void {
    this.live.delete(instance)
  }

  /** The state of every instance not stopped yet. */
  values(): T[] {
    return [...this.live].map((i) => this.states.get(i)!)
  }

  clear(): void {
    this.live.clear()
  }
}

/**
 * The readiness markers from a child's stdout, where the init writes them; its stderr is kept as
 * workload output. `stamped`: the child runs under isobench-launch --timed, whose stamps are the times.
 */
export function markersOf(child: {stdout: Readable | null; stderr: Readable | null}, opts: {stamped?: boolean} = {}): MarkerStream {
  return new MarkerStream().attach(child.stdout!, {stamped: opts.stamped}).attach(child.stderr!, {markers: false})
}

/** The Instance an arm hands out: its marks and output from `markers`, its host pids and exit from the arm. */
export function newInstance(
  spec: InstanceSpec,
  fields: {startedAt: number; markers: MarkerStream; pids(): number[]; exited: Instance['exited']; endpoint?: Instance['endpoint']},
): Instance {
  const {startedAt, markers, pids, exited, endpoint} = fields
  return {
    id: spec.id,
    spec,
    startedAt,
    marks: markers.marks,
    pids,
    output: () => markers.output(),
    facts: () => ({...markers.facts}),
    ...(endpoint ? {endpoint} : {}),
    exited,
  }
}
