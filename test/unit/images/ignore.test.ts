/**
 * .dockerignore / .containerignore patterns as moby/patternmatcher reads them: `**`, `!` exceptions
 * in order, parent directories, path cleaning, comments.
 */
import {describe, expect, it} from 'vitest'
import {compileIgnore} from '../../../src/images/build/ignore.js'
import {componentMatcher} from '../../../src/images/build/copy.js'

const rules = (text: string) => compileIgnore(text.split('\n'), '.dockerignore')

describe('.dockerignore patterns', () => {
  it('plain names, a directory excludes everything under it, leading / and ./ are cleaned', () => {
    const r = rules('secret.txt\n/build/\n./tmp\n')
    expect(r.excludes('secret.txt')).toBe(true)
    expect(r.excludes('sub/secret.txt')).toBe(false)
    expect(r.excludes('build')).toBe(true)
    expect(r.excludes('build/out/x.o')).toBe(true)
    expect(r.excludes('tmp/a')).toBe(true)
    expect(r.excludes('src/main.c')).toBe(false)
  })

  it('* and ? stay within one component; ** crosses directories', () => {
    const r = rules('*.log\nsub/?.txt\n**/*.key\ndocs/**\n')
    expect(r.excludes('a.log')).toBe(true)
    expect(r.excludes('dir/a.log')).toBe(false)
    expect(r.excludes('sub/a.txt')).toBe(true)
    expect(r.excludes('sub/ab.txt')).toBe(false)
    expect(r.excludes('x.key')).toBe(true)
    expect(r.excludes('deep/er/x.key')).toBe(true)
    expect(r.excludes('docs/a/b')).toBe(true)
    expect(r.excludes('docs')).toBe(false)
  })

  it('! re-includes, and the last matching pattern wins', () => {
    const r = rules('*.md\n!README.md\nsecrets/\n!secrets/public.pem\n')
    expect(r.excludes('CHANGES.md')).toBe(true)
    expect(r.excludes('README.md')).toBe(false)
    expect(r.excludes('secrets/private.pem')).toBe(true)
    expect(r.excludes('secrets/public.pem')).toBe(false)
    expect(r.hasExceptions).toBe(true)
    const again = rules('!README.md\n*.md\n')
    expect(again.excludes('README.md')).toBe(true)
  })

  it('comments and blank lines are skipped; [classes] and escapes work', () => {
    const r = rules('# *.c\n\n  *.[oa]  \nweird\\*name\n')
    expect(r.excludes('x.c')).toBe(false)
    expect(r.excludes('x.o')).toBe(true)
    expect(r.excludes('lib.a')).toBe(true)
    expect(r.excludes('weird*name')).toBe(true)
    expect(r.excludes('weirdXname')).toBe(false)
    expect(() => rules('!\n')).toThrow(/illegal exclusion pattern/)
  })

  it('COPY wildcards match one component like Go filepath.Match', () => {
    expect(componentMatcher('*.txt').test('a.txt')).toBe(true)
    expect(componentMatcher('*.txt').test('a.txt.bak')).toBe(false)
    expect(componentMatcher('file[0-9]').test('file7')).toBe(true)
    expect(componentMatcher('file[^0-9]').test('file7')).toBe(false)
    expect(componentMatcher('?').test('ab')).toBe(false)
  })
})
