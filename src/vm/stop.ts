/** Stop one VM by name: QMP `quit` (a clean exit) for qemu, SIGKILL if it lingers (or has no QMP: Firecracker, Cloud Hypervisor), then remove its resources. */
import {QmpClient} from './qmp.js'
import {isOurVm, readMeta} from './instances.js'
import {removeInstance, type VmPruneResult} from './prune.js'
import {pidAlive} from '../host/process.js'

export async function stopVm(stateDir: string, id: string): Promise<VmPruneResult> {
  const meta = readMeta(stateDir, id)
  if (meta?.pid && meta.qmpSocket && isOurVm(meta.pid, id)) {
    try {
      const qmp = await QmpClient.connect(meta.qmpSocket, 1000)
      await qmp.execute('quit', undefined, 1000).catch(() => {})
      qmp.close()
      for (let i = 0; i < 100 && pidAlive(meta.pid) && isOurVm(meta.pid, id); i++) await new Promise((r) => setTimeout(r, 10))
    } catch {
      // no QMP: removeInstance kills it
    }
  }
  return removeInstance(stateDir, id)
}
