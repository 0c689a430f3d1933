/**
 * bench:runtime, section 3: `podman run --rm true` and `ctr run --rm true` with isobench-runtime
 * and with runc, interleaved, medians of N each, as ratios (the clients' wall time: their own
 * cost, node's spawn included, is the same for both runtimes). The engines run with private
 * directories and are stopped after (src/runtime/engines).
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {Containerd} from '../../src/runtime/engines/containerd.js'
import type {ClientEngine, OciRuntimeRef} from '../../src/runtime/engines/engine.js'
import {removeCgroupTree} from '../../src/runtime/engines/host-traces.js'
import {localImage} from '../../src/runtime/engines/image.js'
import {Podman} from '../../src/runtime/engines/podman.js'
import {interleave, printArms, printRatio, type TimedArm} from './lib/timing.js'

export async function benchClients(o: {stateDir: string; work: string; runtime: string; runs: number}): Promise<void> {
  console.log(`\n3. Through the clients: \`run --rm true\`, ${o.runs} interleaved runs each (client wall time)`)
  const ours: OciRuntimeRef = {name: 'isobench', path: o.runtime}
  const runc: OciRuntimeRef = {name: 'runc', path: '/usr/sbin/runc'}
  const cgroupBase = `/isobench-engines/bench-${process.pid}`
  const image = await localImage(o.stateDir, 'idle', join(o.work, 'client-image'))
  const engines: ClientEngine[] = []
  const arms: Record<string, TimedArm> = {}
  const add = async (label: string, make: () => Promise<ClientEngine>) => {
    try {
      const e = await make()
      engines.push(e)
      const ref = await e.importImage(image)
      for (const rt of [ours, runc])
        arms[`${label}/${rt.name}`] = {
          sample: async () => {
            const r = await e.run(rt, ref, ['true'])
            return r.exitCode === 0 ? {ms: r.ms} : {ms: null, error: `exit ${r.exitCode}: ${r.stderr.slice(-300)}`}
          },
        }
    } catch (error) {
      console.log(`  ${label}: not measured: ${(error as Error).message.slice(0, 300)}`)
    }
  }
  try {
    if (existsSync('/usr/bin/podman')) await add('podman', async () => new Podman(join(o.work, 'podman'), `${cgroupBase}/podman`))
    if (existsSync('/usr/bin/containerd')) await add('ctr', async () => new Containerd(join(o.work, 'containerd'), `${cgroupBase}/containerd`).start())
    if (Object.keys(arms).length === 0) return
    const r = await interleave(arms, o.runs)
    printArms(r)
    printRatio('podman run --rm true: isobench-runtime ÷ runc', r.med['podman/isobench'], r.med['podman/runc'])
    printRatio('ctr run --rm true: isobench-runtime ÷ runc', r.med['ctr/isobench'], r.med['ctr/runc'])
  } finally {
    for (const e of engines) await e.stop()
    removeCgroupTree(cgroupBase)
    removeCgroupTree('/isobench-engines') // only when empty: other runs' trees stay
  }
}
