/** Named volumes: `<stateDir>/volumes/<name>/_data`, created on first use, kept until removed. */
import {existsSync, mkdirSync, readdirSync, rmSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {UsageError} from '../../core/errors.js'
import {VOLUME_NAME} from './mount-spec.js'
import {listContainers} from './state.js'

export interface VolumeInfo {
  name: string
  path: string
  createdAt: string
  /** Containers (any status) whose config mounts it. */
  usedBy: string[]
}

export function volumesDir(stateDir: string): string {
  return join(stateDir, 'volumes')
}

export function volumeDataPath(stateDir: string, name: string): string {
  if (!VOLUME_NAME.test(name)) throw new UsageError(`volume name ${JSON.stringify(name)} must match ${VOLUME_NAME.source}`, 'bad-volume')
  return join(volumesDir(stateDir), name, '_data')
}

export function ensureVolume(stateDir: string, name: string): string {
  const p = volumeDataPath(stateDir, name)
  mkdirSync(p, {recursive: true, mode: 0o755})
  return p
}

export function listVolumes(stateDir: string): VolumeInfo[] {
  const dir = volumesDir(stateDir)
  if (!existsSync(dir)) return []
  const users = new Map<string, string[]>()
  for (const c of listContainers(stateDir)) {
    for (const m of c.config.mounts) if (m.type === 'volume') users.set(m.source, [...(users.get(m.source) ?? []), c.id])
  }
  return readdirSync(dir)
    .filter((n) => VOLUME_NAME.test(n))
    .map((name) => ({name, path: join(dir, name, '_data'), createdAt: statSync(join(dir, name)).birthtime.toISOString(), usedBy: users.get(name) ?? []}))
}

export function removeVolume(stateDir: string, name: string, force = false): void {
  const v = listVolumes(stateDir).find((x) => x.name === name)
  if (!v) throw new UsageError(`no volume named ${JSON.stringify(name)} (see \`isobench volume ls\`)`, 'no-such-volume')
  if (v.usedBy.length > 0 && !force)
    throw new UsageError(`volume ${name} is used by ${v.usedBy.join(', ')}; remove those containers first or pass --force`, 'volume-in-use')
  rmSync(join(volumesDir(stateDir), name), {recursive: true, force: true})
}

/** Remove volumes no container refers to. */
export function pruneVolumes(stateDir: string): string[] {
  const removed: string[] = []
  for (const v of listVolumes(stateDir)) {
    if (v.usedBy.length === 0) {
      rmSync(join(volumesDir(stateDir), v.name), {recursive: true, force: true})
      removed.push(v.name)
    }
  }
  return removed
}
