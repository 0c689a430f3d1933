/**
 * Prune's part for the arms that label private dirs with their run (host/run-label.ts): the chroot
 * arm's trees (`<stateDir>/chroot/<tag>`: its instances' cgroups `isobench/chroot-<tag>-*` too), the lxc arm's lxcpath (`<stateDir>/lxc/<tag>`: its
 * containers' cgroups `isobench/lxc-<tag>-*` too) and the engine arms' private daemons
 * (`<stateDir>/engines/<tag>`: their cgroups `/isobench-engines/<tag>`, podman's runroot wherever it
 * had to live). A dir whose run is alive stays unless `all`.
 */
import {removeChrootRunCgroups} from './chroot/cgroups.js'
import {chrootParent} from './chroot/tree.js'
import {enginesParent, pruneEngineRun} from './engines/session.js'
import {pruneLabelledDirs} from './labelled-dirs.js'
import {lxcParent, removeLxcRunCgroups} from './lxc/lxc.js'

export interface LabelledPruneResult {
  /** Run dirs removed (chroot trees, LXC paths, engine roots). */
  dirs: string[]
  processes: number[]
  mounts: string[]
}

export async function pruneLabelled(stateDir: string, opts: {all?: boolean} = {}): Promise<LabelledPruneResult> {
  const out: LabelledPruneResult = {dirs: [], processes: [], mounts: []}
  const parts = [
    await pruneLabelledDirs(chrootParent(stateDir), {...opts, onDir: (dir) => void removeChrootRunCgroups(dir)}),
    await pruneLabelledDirs(lxcParent(stateDir), {...opts, onDir: removeLxcRunCgroups}),
    await pruneLabelledDirs(enginesParent(stateDir), {...opts, onDir: pruneEngineRun}),
  ]
  for (const p of parts) {
    out.dirs.push(...p.dirs)
    out.processes.push(...p.processes)
    out.mounts.push(...p.mounts)
  }
  return out
}
