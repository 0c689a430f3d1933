import {describe, expect, it} from 'vitest'
import {UsageError} from '../../../src/core/errors.js'
import {commandWords} from '../../../src/cli/command-words.js'
import {parseMemoryMiB, parseMount, parsePort, volumeFlagToMount} from '../../../src/runtime/container/mount-spec.js'

describe('--mount', () => {
  it('parses bind and volume mounts with aliases and ro', () => {
    expect(parseMount('type=bind,src=/srv/data,dst=/data,ro')).toEqual({type: 'bind', source: '/srv/data', target: '/data', readonly: true})
    expect(parseMount('type=volume,source=cache,target=/var/cache/')).toEqual({type: 'volume', source: 'cache', target: '/var/cache', readonly: false})
  })

  it.each([
    ['type=tmpfs,dst=/x', /type must be bind or volume/],
    ['type=bind,src=rel/path,dst=/x', /absolute host path/],
    ['type=bind,src=/a,dst=relative', /absolute path/],
    ['type=bind,src=/a,dst=/', /must not be \//],
    ['type=bind,src=/a,dst=/x/../..', /must not be \//],
    ['type=volume,src=../evil,dst=/x', /volume name/],
    ['type=bind,src=/a,dst=/x,colour=red', /unknown key "colour"/],
    ['type=bind,dst=/x', /src is missing/],
    ['type=bind,src=/a,src=/b,dst=/x', /given twice/],
  ])('rejects %s with a usage error', (text, why) => {
    expect(() => parseMount(text)).toThrow(UsageError)
    expect(() => parseMount(text)).toThrow(why)
  })

  it('-v short form becomes a --mount string', () => {
    expect(volumeFlagToMount('data:/data')).toBe('type=volume,src=data,dst=/data')
    expect(volumeFlagToMount('/srv:/srv:ro')).toBe('type=bind,src=/srv,dst=/srv,ro')
    expect(() => volumeFlagToMount('data')).toThrow(UsageError)
  })
})

describe('ports and sizes', () => {
  it('publishes on loopback only', () => {
    expect(parsePort('8080:80')).toEqual({host: 8080, container: 80})
    expect(parsePort('127.0.0.1:8080:80/tcp')).toEqual({host: 8080, container: 80})
    expect(() => parsePort('0.0.0.0:8080:80')).toThrow(UsageError)
    expect(() => parsePort('70000:80')).toThrow(/1-65535/)
  })

  it('memory sizes to MiB', () => {
    expect(parseMemoryMiB('64m')).toBe(64)
    expect(parseMemoryMiB('1g')).toBe(1024)
    expect(parseMemoryMiB('512MiB')).toBe(512)
    expect(() => parseMemoryMiB('lots')).toThrow(UsageError)
    expect(() => parseMemoryMiB('1m')).toThrow(/at least 6 MiB/)
  })
})

describe('commandWords', () => {
  it('takes the words after -- from the raw argv even when they repeat a flag', () => {
    expect(commandWords(['-p', '8080:80', 'img', '--', 'httpd', '-p', '80'], ['-p', 'img', 'httpd', '80'])).toEqual(['httpd', '-p', '80'])
    expect(commandWords(['img', 'echo', 'hi'], ['img', 'echo', 'hi'])).toEqual(['echo', 'hi'])
  })
})
