/**
 * Where the VM arm keeps things, all under `<stateDir>/vm/`:
 *   kernel/vmlinuz-<ver>            the guest kernel (the name kvm.ts's probe looks for)
 *   kernel/<ver>/                   vmlinux (uncompressed, PVH entry), config, modules/ (only the needed ones)
 *   cache/                          initramfs and ext4 disks, keyed by rootfs digest + guest-init hash
 *   instances/<id>/                 one running VM: meta.json, qmp.sock, serial.log
 * Everything we create carries `isobench` in its name or path, so prune can find it.
 */
import {createHash} from 'node:crypto'
import {join} from 'node:path'

export function vmDir(stateDir: string): string {
  return join(stateDir, 'vm')
}

export function kernelDir(stateDir: string): string {
  return join(vmDir(stateDir), 'kernel')
}

export function artefactCacheDir(stateDir: string): string {
  return join(vmDir(stateDir), 'cache')
}

export function instancesDir(stateDir: string): string {
  return join(vmDir(stateDir), 'instances')
}

export function instanceDir(stateDir: string, id: string): string {
  return join(instancesDir(stateDir), id)
}

/** Unix socket paths are limited to 107 bytes: use a short /tmp path when the state dir is deep. */
export function qmpSocketPath(stateDir: string, id: string): string {
  const p = join(instanceDir(stateDir, id), 'qmp.sock')
  if (Buffer.byteLength(p) <= 100) return p
  return join('/tmp', `isobench-qmp-${createHash('sha256').update(p).digest('hex').slice(0, 16)}.sock`)
}

/** A tap device name for an instance: ≤ 15 chars (IFNAMSIZ), `isobench-` + 6 hex. */
export function tapName(id: string): string {
  return `isobench-${createHash('sha256').update(id).digest('hex').slice(0, 6)}`
}

/** The `-name` we give every qemu process: how prune recognises ours in /proc/PID/cmdline. */
export function qemuProcessName(id: string): string {
  return `isobench-vm-${id}`
}
