/**
 * A container's /etc/hosts, /etc/hostname and /etc/resolv.conf, written per container as Docker
 * writes them (network/etc-files.ts has the rules) into `<stateDir>/etc-files/<id>/` and bind-mounted
 * over the image's own, read-write as in Docker. They live outside the container's state dir because
 * with the writable layer in memory that dir is the container's rootfs mount point. The helper removes
 * them at exit (--cleanup) for --rm containers; delete and prune remove the rest.
 */
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {etcFiles} from '../network/etc-files.js'
import type {MountSpec} from './mount-spec.js'
import type {ContainerConfig} from './state.js'

export function etcFilesDir(stateDir: string, id: string): string {
  return join(stateDir, 'etc-files', id)
}

/** Write the three files for this container (`ip`: its bridge address) and return their bind mounts. */
export function writeContainerEtc(stateDir: string, config: Pick<ContainerConfig, 'id' | 'hostname' | 'network'>, ip?: string): MountSpec[] {
  const dir = etcFilesDir(stateDir, config.id)
  mkdirSync(dir, {recursive: true})
  const files = etcFiles({hostname: config.hostname, network: config.network === 'host' ? 'host' : config.network === 'bridge' ? 'own' : 'none', ip})
  const out: MountSpec[] = []
  for (const [name, content] of [
    ['hosts', files.hosts],
    ['hostname', files.hostname],
    ['resolv.conf', files.resolvConf],
  ] as const) {
    const source = join(dir, name)
    writeFileSync(source, content, {mode: 0o644})
    out.push({type: 'bind', source, target: `/etc/${name}`, readonly: false})
  }
  return out
}

export function removeContainerEtc(stateDir: string, id: string): void {
  rmSync(etcFilesDir(stateDir, id), {recursive: true, force: true})
}
