/** state.json of a container whose helper may already have removed its dir (auto-remove of a container that exited at once). */
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {containerDir, initContainerDir, writeRuntimeState, type ContainerConfig} from '../../../src/runtime/container/state.js'

const config = {
  id: 'c1',
  image: 'x',
  lowerDirs: [],
  rootfsMode: 'overlay',
  argv: ['true'],
  env: {},
  cwd: '/',
  hostname: 'c1',
  network: 'none',
  limits: {},
  mounts: [],
  ports: [],
  autoRemove: true,
  createdAt: '',
} satisfies ContainerConfig

describe('writeRuntimeState', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'isobench-state-'))
  afterEach(() => rmSync(containerDir(stateDir, 'c1'), {recursive: true, force: true}))

  it('writes state.json atomically into an existing container dir', () => {
    initContainerDir(stateDir, config)
    expect(writeRuntimeState(stateDir, 'c1', {shimPid: 42})).toBe(true)
    expect(JSON.parse(readFileSync(join(containerDir(stateDir, 'c1'), 'state.json'), 'utf8'))).toEqual({shimPid: 42})
    expect(readdirSync(containerDir(stateDir, 'c1')).sort()).toEqual(['config.json', 'state.json'])
  })

  it('a dir already removed (the container exited and removed itself) is not an error and is not made again', () => {
    initContainerDir(stateDir, config)
    rmSync(containerDir(stateDir, 'c1'), {recursive: true})
    expect(writeRuntimeState(stateDir, 'c1', {shimPid: 42})).toBe(false)
    expect(existsSync(containerDir(stateDir, 'c1'))).toBe(false)
  })
})
