/**
 * Run scratch dirs: a run dir appears under its name only with its owner record in it, so a run
 * killed while making it leaves nothing that prune cannot judge (a SIGKILL at +2 ms of a run once
 * left a run dir without owner.json, which prune kept for its 60 s grace).
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {currentOwner} from '../../../src/host/owner.js'
import {claimPid, closeRunDir, listRunDirs, openRunDir, runsDir} from '../../../src/host/runs.js'
import {pruneRuns} from '../../../src/runtime/prune-runs.js'

const made: string[] = []
function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'isobench-runs-test-'))
  made.push(d)
  return d
}
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, {recursive: true, force: true})
})

/** A pid that existed and is gone now. */
function deadPid(): number {
  return spawnSync('true').pid!
}

describe('run dirs', () => {
  it('are made with owner.json in them, and leave no claim dir behind', () => {
    const s = stateDir()
    const dir = openRunDir(s, 'r1')
    expect(dir).toBe(join(runsDir(s), 'r1'))
    expect(JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')).owner.pid).toBe(process.pid)
    expect(readdirSync(runsDir(s))).toEqual(['r1'])
    closeRunDir(s, 'r1')
    expect(existsSync(dir)).toBe(false)
  })

  it("take another name when a live process of another run holds the id, and take over a dead run's", () => {
    const s = stateDir()
    const held = join(runsDir(s), 'r2')
    mkdirSync(held, {recursive: true})
    const live = {...currentOwner(1), pid: 1}
    writeFileSync(join(held, 'owner.json'), JSON.stringify({runId: 'r2', stateDir: s, owner: live, createdAt: ''}))
    expect(openRunDir(s, 'r2')).toBe(join(runsDir(s), `r2.${process.pid}`))
    const dead = join(runsDir(s), 'r3')
    mkdirSync(dead)
    writeFileSync(join(dead, 'owner.json'), JSON.stringify({runId: 'r3', stateDir: s, owner: {...currentOwner(), pid: deadPid()}, createdAt: ''}))
    expect(openRunDir(s, 'r3')).toBe(dead)
    expect(JSON.parse(readFileSync(join(dead, 'owner.json'), 'utf8')).owner.pid).toBe(process.pid)
  })

  it('a claim dir of a dead process is pruned at once; one of a live process is kept', () => {
    const s = stateDir()
    const name = `.claim-${deadPid()}-r4`
    const gone = join(runsDir(s), name)
    const alive = join(runsDir(s), `.claim-1-r5`)
    mkdirSync(gone, {recursive: true})
    mkdirSync(alive)
    expect(claimPid('.claim-1-r5')).toBe(1)
    expect(claimPid('r5')).toBeNull()
    expect(listRunDirs(s).map((r) => r.state)).toEqual(['unknown', 'unknown'])
    expect(pruneRuns(s).runs).toEqual([name])
    expect(existsSync(gone)).toBe(false)
    expect(existsSync(alive)).toBe(true)
  })
})
