/**
 * Stages and instruction semantics that need no filesystem: meta ARGs, stage selection, ENV
 * expansion order, ENTRYPOINT and CMD, EXPOSE ranges.
 */
import {describe, expect, it} from 'vitest'
import {parseContainerfile} from '../../../src/images/build/containerfile.js'
import {applyConfigInstruction, DEFAULT_SHELL, runEnv, type StageConfig} from '../../../src/images/build/instructions.js'
import {planStages} from '../../../src/images/build/stages.js'

const ctx = {file: 'Containerfile', escape: '\\'}
const parse = (src: string) => parseContainerfile(src, 'Containerfile').instructions
const stage = (): StageConfig => ({config: {}, args: new Map(), cmdSet: false, shell: [...DEFAULT_SHELL]})
function apply(src: string, s = stage()): StageConfig {
  for (const ins of parse(src)) applyConfigInstruction(ctx, s, ins)
  return s
}

describe('stages', () => {
  it('ARGs before FROM are usable in FROM; build args override their defaults', () => {
    const p = planStages(ctx, parse('ARG BASE=one\nARG TAG\nFROM ${BASE}:${TAG:-x} AS a\nFROM scratch\n'), {TAG: '2'})
    expect(p.metaArgs).toEqual(
      new Map([
        ['BASE', 'one'],
        ['TAG', '2'],
      ]),
    )
    expect(p.stages[0]!.base).toBe('one:2')
  })

  it('builds only the stages the target needs (FROM <stage> and COPY --from), names are case-insensitive', () => {
    const src =
      'FROM scratch AS Unused\nFROM scratch AS build\nFROM scratch AS other\nFROM build AS mid\nCOPY --from=OTHER /a /a\nFROM scratch\nCOPY --from=mid /a /a\nCOPY --from=0 /b /b\n'
    const p = planStages(ctx, parse(src), {})
    expect(p.needed).toEqual([0, 1, 2, 3, 4])
    expect(planStages(ctx, parse('FROM scratch AS a\nFROM scratch AS b\nFROM scratch\n'), {}).needed).toEqual([2])
    expect(planStages(ctx, parse(src), {}, 'build').needed).toEqual([1])
    expect(() => planStages(ctx, parse(src), {}, 'nope')).toThrow(/--target "nope": no stage of that name/)
  })

  it('only ARG may come before FROM; duplicate stage names are errors', () => {
    expect(() => planStages(ctx, parse('ENV A=1\nFROM scratch\n'), {})).toThrow(/ENV before FROM/)
    expect(() => planStages(ctx, parse('FROM scratch AS a\nFROM scratch AS A\n'), {})).toThrow(/duplicate stage name/)
    expect(() => planStages(ctx, parse('ARG B\nFROM $B\n'), {})).toThrow(/expands to nothing/)
  })
})

describe('config instructions', () => {
  it('ENV sees the values from before the instruction; legacy ENV K V form; quotes and escapes', () => {
    const s = apply('ENV A=1\nENV A=2 B=$A\nENV C some value $A\nENV D="x y" E=x\\ y F=\'$A\'\n')
    expect(s.config.Env).toEqual(['A=2', 'B=1', 'C=some value 2', 'D=x y', 'E=x y', 'F=$A'])
  })

  it('ENV overrides an ARG of the same name; ARGs reach RUN but not the image config', () => {
    const s = stage()
    s.args.set('V', 'from-arg')
    s.args.set('W', 'arg-only')
    apply('ENV V=from-env\nENV X=$V\n', s)
    expect(s.config.Env).toEqual(['V=from-env', 'X=from-env'])
    expect(runEnv(s)).toMatchObject({V: 'from-env', W: 'arg-only', PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'})
  })

  it('exec vs shell form; ENTRYPOINT clears an inherited CMD but not one set in this stage; SHELL changes the shell form', () => {
    const inherited = stage()
    inherited.config.Cmd = ['old']
    expect(apply('ENTRYPOINT ["/e"]\n', inherited).config).toEqual({Entrypoint: ['/e'], Cmd: null})
    expect(apply('CMD echo hi\nENTRYPOINT ["/e"]\n').config).toEqual({Cmd: ['/bin/sh', '-c', 'echo hi'], Entrypoint: ['/e']})
    expect(apply('SHELL ["/bin/ash", "-eo", "pipefail", "-c"]\nCMD echo hi\n').config.Cmd).toEqual(['/bin/ash', '-eo', 'pipefail', '-c', 'echo hi'])
    expect(() => apply('SHELL /bin/sh\n')).toThrow(/JSON form/)
  })

  it('EXPOSE expands ranges and defaults to tcp; LABEL, USER, VOLUME, STOPSIGNAL', () => {
    const s = apply('ARG X\nEXPOSE 80 53/UDP 8000-8002/tcp\nLABEL "a b"=c d=e\nUSER 1234:5678\nVOLUME ["/data", "/v2"]\nVOLUME /v3\nSTOPSIGNAL SIGINT\n')
    expect(Object.keys(s.config.ExposedPorts!)).toEqual(['80/tcp', '53/udp', '8000/tcp', '8001/tcp', '8002/tcp'])
    expect(s.config.Labels).toEqual({'a b': 'c', d: 'e'})
    expect(s.config.User).toBe('1234:5678')
    expect(Object.keys(s.config.Volumes!)).toEqual(['/data', '/v2', '/v3'])
    expect(s.config.StopSignal).toBe('SIGINT')
    expect(() => apply('EXPOSE 99999\n')).toThrow(/invalid port/)
  })
})
