/**
 * The Containerfile parser and word processing, case by case against the Dockerfile reference and
 * BuildKit's parser: directives, line continuations, here-documents, flags, JSON form, variables.
 */
import {describe, expect, it} from 'vitest'
import {heredocWord, parseContainerfile, rawKeyValueWords, splitFlags} from '../../../src/images/build/containerfile.js'
import {LexError, processWord, processWords} from '../../../src/images/build/lexer.js'
import {InputFileError} from '../../../src/core/errors.js'

const parse = (src: string) => parseContainerfile(src, 'Containerfile')

describe('parseContainerfile', () => {
  it('joins continuations, drops comments (also inside continuations), keeps first line numbers and continuation blanks', () => {
    const src = '# a comment\nFROM scratch\n\nRUN echo a && \\\n  # a comment inside\n  echo b\nenv A=1\n'
    const {instructions} = parse(src)
    expect(instructions.map((i) => [i.line, i.keyword, i.args])).toEqual([
      [2, 'FROM', 'scratch'],
      [4, 'RUN', 'echo a &&   echo b'],
      [7, 'ENV', 'A=1'],
    ])
  })

  it('an escaped trailing backslash (ENV C=x\\\\) ends the instruction instead of joining the next line', () => {
    const {instructions} = parse('FROM scratch\nENV C=x\\\\\nENV D=y\n')
    expect(instructions.map((i) => [i.keyword, i.args])).toEqual([
      ['FROM', 'scratch'],
      ['ENV', 'C=x\\\\'],
      ['ENV', 'D=y'],
    ])
    expect(processWord('x\\\\', {})).toBe('x\\')
  })

  it('# escape=` makes the backtick the escape and continuation token (Windows-style paths keep their backslashes)', () => {
    const {instructions, escape} = parse('# escape=`\nFROM scratch\nCOPY a `\n  b\\c /dst\\\n')
    expect(escape).toBe('`')
    expect(instructions.map((i) => [i.keyword, i.args])).toEqual([
      ['FROM', 'scratch'],
      ['COPY', 'a   b\\c /dst\\'],
    ])
  })

  it('directives count only at the very top; a repeated one is an error', () => {
    expect(parse('FROM scratch\n# escape=`\n').escape).toBe('\\')
    expect(parse('# syntax=docker/dockerfile:1\n# escape=`\nFROM scratch\n').escape).toBe('`')
    expect(() => parse('# escape=`\n# escape=\\\nFROM scratch\n')).toThrow(/only one escape parser directive/)
  })

  it("a here-document (RUN <<EOF) is the instruction's data, not instructions", () => {
    const {instructions} = parse(
      'FROM scratch\nRUN <<EOF\necho hello\nECHO is not an instruction here\nEOF\nCOPY <<-"END" /x\n\tliteral $A\n\tEND\nRUN cat <<A <<B > /y\na\nA\nb\nB\nENV Z=1\n',
    )
    expect(instructions.map((i) => i.keyword)).toEqual(['FROM', 'RUN', 'COPY', 'RUN', 'ENV'])
    expect(instructions[1]!.heredocs).toEqual([{name: 'EOF', content: 'echo hello\nECHO is not an instruction here\n', expand: true, chomp: false}])
    expect(instructions[2]!.heredocs).toEqual([{name: 'END', content: 'literal $A\n', expand: false, chomp: true}])
    expect(instructions[3]!.heredocs.map((h) => [h.name, h.content])).toEqual([
      ['A', 'a\n'],
      ['B', 'b\n'],
    ])
    expect(instructions[4]!.line).toBe(14)
    expect(() => parse('FROM scratch\nRUN <<EOF\nno end\n')).toThrow(/unterminated here-document <<EOF/)
    // The JSON form has no here-documents.
    expect(parse('FROM scratch\nRUN ["echo", "<<EOF"]\n').instructions[1]!.heredocs).toEqual([])
  })

  it('here-document words', () => {
    expect(heredocWord('<<EOF')).toEqual({name: 'EOF', expand: true, chomp: false})
    expect(heredocWord("<<-'X'")).toEqual({name: 'X', expand: false, chomp: true})
    expect(heredocWord('2<<EOF')).toEqual({name: 'EOF', expand: true, chomp: false})
    expect(heredocWord('<<')).toBeNull()
    expect(heredocWord('a<<b')).toBeNull()
  })

  it('exec form for a JSON array of strings; a JSON array with a non-string is an error; else shell form', () => {
    const {instructions} = parse('FROM scratch\nCMD ["/bin/sh", "-c", "echo"]\nCMD echo [x]\nRUN [ -f /x ]\n')
    expect(instructions[1]!.json).toEqual(['/bin/sh', '-c', 'echo'])
    expect(instructions[2]!.json).toBeNull()
    expect(instructions[3]!.json).toBeNull()
    expect(() => parse('FROM scratch\nCMD [1, 2]\n')).toThrow(/arrays must be comprised of strings only/)
  })

  it('leading --flags (quotes processed, -- ends them)', () => {
    expect(splitFlags('--chown=1:2 --chmod="755" a b/', '\\')).toEqual({flags: ['--chown=1:2', '--chmod=755'], rest: 'a b/'})
    expect(splitFlags('-- --not-a-flag x', '\\')).toEqual({flags: [], rest: '--not-a-flag x'})
  })

  it('names file:line:col for an unknown instruction; every reference instruction parses', () => {
    let err: unknown
    try {
      parse('FROM scratch\nFROB /data\n')
    } catch (error) {
      err = error
    }
    expect(err).toBeInstanceOf(InputFileError)
    expect((err as InputFileError).exitCode).toBe(2)
    expect((err as Error).message).toBe('Containerfile:2:1: FROB: unknown instruction FROB')
    const all =
      'FROM scratch\nRUN x\nCMD x\nLABEL a=b\nMAINTAINER m\nEXPOSE 1\nENV a=b\nADD a b\nCOPY a b\nENTRYPOINT x\nVOLUME /v\nUSER u\nWORKDIR /w\nARG a\nONBUILD RUN x\nSTOPSIGNAL 9\nHEALTHCHECK NONE\nSHELL ["sh"]\n'
    expect(parse(all).instructions).toHaveLength(18)
  })
})

describe('word processing (BuildKit shell lexer)', () => {
  const vars = {A: 'x y', EMPTY: '', N: undefined, P: '/usr/local/lib.tar.gz'}
  it('substitutes $V, ${V}, ${V:-d}, ${V-d}, ${V:+d}, ${V+d}; escaped $ stays', () => {
    expect(processWord('$A-${A}-${EMPTY:-dflt}-${EMPTY-dflt}-${A:+set}-${N:+no}-${EMPTY+set}-\\$A', vars)).toBe('x y-x y-dflt--set--set-$A')
  })
  it('${V:?msg} fails for unset or empty; ${V?} only for unset', () => {
    expect(() => processWord('${N:?must be set}', vars)).toThrow(LexError)
    expect(() => processWord('${EMPTY:?}', vars)).toThrow(/is not allowed to be empty/)
    expect(processWord('${EMPTY?}', vars)).toBe('')
  })
  it('pattern removal and replacement', () => {
    expect(processWord('${P#*/}|${P##*/}|${P%.*}|${P%%.*}', vars)).toBe('usr/local/lib.tar.gz|lib.tar.gz|/usr/local/lib.tar|/usr/local/lib')
    expect(processWord('${P/l/L}|${P//l/L}', vars)).toBe('/usr/Local/lib.tar.gz|/usr/LocaL/Lib.tar.gz')
  })
  it('quotes: single quotes do not expand, double quotes do; a backslash escapes', () => {
    expect(processWords(`one "two $A" 'three $A' four\\ five $A`, vars)).toEqual(['one', 'two x y', 'three $A', 'four five', 'x', 'y'])
    expect(processWord(`"a\\"b" '\\n'`, vars)).toBe('a"b \\n')
  })
  it('the backtick escape', () => {
    expect(processWord('a`$A b\\c', vars, {escape: '`'})).toBe('a$A b\\c')
  })
  it('ENV/LABEL words keep quotes for later processing', () => {
    expect(rawKeyValueWords('A=1 B="two words" C=three\\ words D=""', '\\')).toEqual(['A=1', 'B="two words"', 'C=three\\ words', 'D=""'])
  })
})
