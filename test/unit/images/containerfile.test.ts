import {describe, expect, it} from 'vitest'
import {execForm, keyValues, leadingFlags, parseContainerfile, shellWords, substitute} from '../../../src/images/build/containerfile.js'
import {InputFileError} from '../../../src/core/errors.js'

describe('parseContainerfile', () => {
  it('joins continuations, drops comments (also inside continuations), keeps first line numbers', () => {
    const src = '# syntax comment\nFROM scratch\n\nRUN echo a && \\\n  # a comment inside\n  echo b\nenv A=1\n'
    const ins = parseContainerfile(src, 'Containerfile')
    expect(ins.map((i) => [i.line, i.keyword, i.rest])).toEqual([
      [2, 'FROM', 'scratch'],
      [4, 'RUN', 'echo a && echo b'],
      [7, 'ENV', 'A=1'],
    ])
  })

  it('names file:line:col and the supported set for an unsupported instruction', () => {
    let err: unknown
    try {
      parseContainerfile('FROM scratch\nVOLUME /data\n', '/ctx/Containerfile')
    } catch (error) {
      err = error
    }
    expect(err).toBeInstanceOf(InputFileError)
    expect((err as InputFileError).exitCode).toBe(2)
    expect((err as Error).message).toBe('/ctx/Containerfile:2:1: VOLUME: unsupported instruction VOLUME; supported: FROM, COPY, ADD, RUN, ENV, WORKDIR, USER, ENTRYPOINT, CMD, EXPOSE, LABEL, ARG')
  })
})

describe('words and substitution', () => {
  const vars = {A: 'x y', EMPTY: '', N: undefined}
  it('substitutes $V, ${V}, ${V:-d}, ${V:+d} and keeps \\$', () => {
    expect(substitute('$A-${A}-${EMPTY:-dflt}-${A:+set}-${N:+no}-\\$A', vars)).toBe('x y-x y-dflt-set--$A')
  })
  it('splits like a shell: quotes group, single quotes do not expand, backslash escapes', () => {
    expect(shellWords(`one "two $A" 'three $A' four\\ five`, vars)).toEqual(['one', 'two x y', 'three $A', 'four five'])
  })
  it('ENV key=value pairs and the legacy ENV K value form', () => {
    expect(keyValues('A=1 B="two words" C=$A', vars, true)).toEqual([
      ['A', '1'],
      ['B', 'two words'],
      ['C', 'x y'],
    ])
    expect(keyValues('NAME some value $A', vars, true)).toEqual([['NAME', 'some value x y']])
  })
  it('exec form only for a JSON array of strings', () => {
    expect(execForm('["/bin/sh", "-c", "echo"]')).toEqual(['/bin/sh', '-c', 'echo'])
    expect(execForm('[1, 2]')).toBeNull()
    expect(execForm('echo [x]')).toBeNull()
  })
  it('leading --flags of COPY', () => {
    expect(leadingFlags('--chown=1:2 --chmod=755 a b/')).toEqual({flags: {chown: '1:2', chmod: '755'}, rest: 'a b/'})
  })
})
