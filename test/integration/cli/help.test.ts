/**
 * What a new user reads first: `isobench --help` describes each topic in words of its own (not its
 * first subcommand's summary), and `isobench scenarios` lists the shipped scenario files and the
 * papers' claim files, none of them INVALID.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {isobench, ROOT} from '../../helpers/cli.js'

describe('isobench --help', () => {
  it('gives every topic (a folder of commands) a description of its own', async () => {
    const topics = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {oclif: {topics: Record<string, {description: string}>}}).oclif.topics
    const folders = readdirSync(join(ROOT, 'src', 'commands'), {withFileTypes: true})
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
    expect(Object.keys(topics).sort()).toEqual(folders.sort())
    const r = await isobench(['--help'])
    expect(r.exitCode, r.all).toBe(0)
    const section = r.stdout.slice(r.stdout.indexOf('TOPICS'), r.stdout.indexOf('COMMANDS')).replace(/\s+/g, ' ')
    for (const [topic, {description}] of Object.entries(topics)) {
      expect(section).toContain(`${topic} ${description.split(' ').slice(0, 4).join(' ')}`)
      // not the summary of the topic's first command
      const first = readdirSync(join(ROOT, 'src', 'commands', topic)).sort()[0]!
      const summary = /static override summary = ['"`](.*?)['"`]\n/.exec(readFileSync(join(ROOT, 'src', 'commands', topic, first), 'utf8'))?.[1]
      if (summary) expect(section).not.toContain(`${topic} ${summary.split(' ').slice(0, 5).join(' ')}`)
    }
  })
})

describe('isobench scenarios', () => {
  it('lists every shipped scenario and every paper as a claim file, none INVALID', async () => {
    const r = await isobench(['scenarios'])
    expect(r.exitCode, r.all).toBe(0)
    expect(r.stdout).not.toContain('INVALID')
    const papers = readdirSync(join(ROOT, 'scenarios', 'papers')).filter((f) => f.endsWith('.yaml'))
    for (const p of papers)
      expect(r.stdout).toMatch(new RegExp(`scenarios/papers/${p}\\s+claims: .* \\(\\d+ claims on .*; isobench reproduce ${p.replace('.yaml', '')}\\)`))
    expect(r.stdout).toMatch(/scenarios\/quick\.yaml\s+The default scenario.*\[startup, scaleout, memory, cpu, interference\]/)
    const json = JSON.parse((await isobench(['scenarios', '--json'])).stdout) as Array<{file: string; kind: string; error?: string}>
    expect(json.filter((x) => x.kind === 'claims')).toHaveLength(papers.length)
    expect(json.filter((x) => x.error)).toEqual([])
  })

  it('still names a broken file and why', async () => {
    const {mkdtempSync, mkdirSync, writeFileSync, rmSync} = await import('node:fs')
    const dir = mkdtempSync('/tmp/isobench-scenarios-')
    try {
      mkdirSync(join(dir, 'papers'))
      writeFileSync(join(dir, 'bad.yaml'), 'name: x\nmetrics: []\n')
      writeFileSync(join(dir, 'papers', 'nope.yaml'), 'id: nope\n')
      const r = await isobench(['scenarios', '--dir', dir])
      expect(r.stdout).toMatch(/bad\.yaml\s+INVALID: .*metrics/)
      expect(r.stdout).toMatch(/papers\/nope\.yaml\s+INVALID: /)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
