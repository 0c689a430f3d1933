/**
 * The `process` arm: the workload as a bare host process, no isolation at all. The baseline every
 * other arm is compared with. It runs the same init script as the other arms, with the host's
 * busybox, so the readiness protocol and the workload command are identical.
 */
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {sampleProcesses, descendants} from '../host/procfs.js'
import {INIT_SCRIPT} from '../images/init.js'
import type {Arm, ArmContext, ArmInfo, Availability, Instance, InstanceSpec, ReadyResult, ResourceSample} from '../core/arm.js'
import type {MarkerStream} from '../core/markers.js'
import {InstanceTable, markersOf, newInstance} from './instances.js'
import {waitReady} from './readiness.js'
import {spawnInstanceProcess, stopProcessGroup, type InstanceProcess} from '../host/process.js'

export const BUSYBOX = '/bin/busybox'

export class ProcessArm implements Arm {
  readonly name = 'process'
  readonly kind = 'process'
  private dir: string | null = null
  private readonly running = new InstanceTable<{child: InstanceProcess; markers: MarkerStream}>(this.name)

  constructor(private readonly ctx: ArmContext) {}

  async available(): Promise<Availability> {
    return existsSync(BUSYBOX) ? {ok: true} : {ok: false, reason: `${BUSYBOX} not found (apt package busybox-static; run \`isobench setup\`)`}
  }

  info(): ArmInfo {
    return {name: this.name, kind: this.kind, accel: 'none', versions: {}}
  }

  async prepare(): Promise<void> {
    if (this.dir) return
    const dir = mkdtempSync(join(tmpdir(), 'isobench-process-'))
    this.dir = dir
    this.ctx.cleanup.add(`temp dir ${dir}`, () => rmSync(dir, {recursive: true, force: true}))
    writeFileSync(join(dir, 'init'), INIT_SCRIPT, {mode: 0o755})
  }

  async start(spec: InstanceSpec): Promise<Instance> {
    if (!this.dir) await this.prepare()
    const {workload} = spec
    const startedAt = performance.now()
    const child = spawnInstanceProcess([BUSYBOX, 'sh', join(this.dir!, 'init'), ...workload.argv], {
      env: {...workload.env, ISOBENCH_NAME: workload.name, ISOBENCH_READY: workload.ready.kind},
    })
    const markers = markersOf(child)
    const handle = this.ctx.cleanup.add(`process ${spec.id}`, () => stopProcessGroup(child))
    const exited = child.then(
      (r) => ({code: r.exitCode ?? null, signal: r.signal ?? null}),
      () => ({code: null, signal: null}),
    )
    void exited.then(() => handle.dispose())
    const instance = newInstance(spec, {startedAt, markers, pids: () => (child.pid ? [child.pid, ...descendants(child.pid)] : []), exited})
    return this.running.add(instance, {child, markers})
  }

  waitReady(instance: Instance): Promise<ReadyResult> {
    return waitReady(instance, this.running.get(instance).markers)
  }

  async sample(instance: Instance): Promise<ResourceSample> {
    return sampleProcesses(instance.pids())
  }

  async stop(instance: Instance): Promise<void> {
    await stopProcessGroup(this.running.get(instance).child)
    await instance.exited
    this.running.delete(instance)
  }

  async cleanup(): Promise<void> {
    if (this.dir) rmSync(this.dir, {recursive: true, force: true})
    this.dir = null
  }
}
