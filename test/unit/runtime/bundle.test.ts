/**
 * A container of ours as the OCI bundle isobench-runtime runs (pure): the runc/crun arms' config
 * plus the user, binds, a bridged network namespace, and the overlay rootfs as annotations.
 */
import {describe, expect, it} from 'vitest'
import {containerOciConfig, containerPaths, scratchDirs} from '../../../src/runtime/container/bundle.js'
import type {ContainerConfig} from '../../../src/runtime/container/state.js'

const base: ContainerConfig = {
  id: 'c1',
  image: 'idle',
  lowerDirs: ['/l/top', '/l/base'],
  rootfsMode: 'overlay',
  writableLayer: 'memory',
  argv: ['sh', '-c', 'true'],
  env: {A: '1'},
  cwd: '/w',
  hostname: 'h',
  network: 'none',
  limits: {memoryMiB: 64, pids: 10},
  mounts: [{type: 'bind', source: '/src', target: '/dst', readonly: true}],
  ports: [],
  autoRemove: true,
  createdAt: '',
}
const paths = containerPaths('/s/containers/c1')
type Oci = {
  root: {path: string}
  process: {args: string[]; env: string[]; cwd: string; user: {uid: number; gid: number}}
  mounts: Array<{destination: string; source: string; options: string[]}>
  linux: {namespaces: Array<{type: string; path?: string}>; cgroupsPath: string; resources: {memory: {limit: number}; pids: {limit: number}}; seccomp?: unknown}
  annotations?: Record<string, string>
}
const oci = (c: Partial<ContainerConfig>, netnsPath?: string) =>
  containerOciConfig({...base, ...c}, paths, {bindSources: ['/resolved'], seccomp: null, netnsPath}) as unknown as Oci

describe('containerOciConfig', () => {
  it('writable layer in memory: the bundle dir is the mount point; the overlay is an annotation', () => {
    const c = oci({})
    expect(c.root.path).toBe('/s/containers/c1/oci')
    expect(c.annotations).toEqual({'org.isobench.rootfs.lowerdirs': '/l/top:/l/base'})
    expect(scratchDirs(base, paths)).toEqual(['/s/containers/c1/oci'])
  })

  it('writable layer on disk: upper and work dirs in the container dir', () => {
    const c = oci({writableLayer: 'disk'})
    expect(c.root.path).toBe('/s/containers/c1/root')
    expect(c.annotations).toMatchObject({'org.isobench.rootfs.upperdir': '/s/containers/c1/upper', 'org.isobench.rootfs.workdir': '/s/containers/c1/work'})
    expect(scratchDirs({...base, writableLayer: 'disk'}, paths)).toHaveLength(4)
  })

  it('a copied rootfs has no annotation', () => {
    expect(oci({rootfsMode: 'copy'}).annotations).toBeUndefined()
  })

  it('process, user, binds (resolved sources), limits under /isobench/<id>', () => {
    const c = oci({user: {uid: 1000, gid: 100}})
    expect(c.process.args).toEqual(['sh', '-c', 'true'])
    expect(c.process.env).toContain('A=1')
    expect(c.process.cwd).toBe('/w')
    expect(c.process.user).toEqual({uid: 1000, gid: 100})
    expect(c.mounts.at(-1)).toMatchObject({destination: '/dst', source: '/resolved', options: ['rbind', 'ro']})
    expect(c.linux.cgroupsPath).toBe('/isobench/c1')
    expect(c.linux.resources.memory.limit).toBe(64 * 1024 * 1024)
    expect(c.linux.resources.pids.limit).toBe(10)
  })

  it('network: none makes one, host shares it, bridge joins the namespace made for it', () => {
    const net = (c: Oci) => c.linux.namespaces.filter((n) => n.type === 'network')
    expect(net(oci({}))).toEqual([{type: 'network'}])
    expect(net(oci({network: 'host'}))).toEqual([])
    expect(net(oci({network: 'bridge'}, '/run/netns/isobench-c1'))).toEqual([{type: 'network', path: '/run/netns/isobench-c1'}])
  })
})
