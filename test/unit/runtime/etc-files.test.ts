/** /etc/hosts, /etc/hostname and /etc/resolv.conf as Docker writes them (moby libnetwork etchosts, resolvconf). */
import {describe, expect, it} from 'vitest'
import {DEFAULT_HOSTS, etcFiles, filterResolvConf, nameservers} from '../../../src/runtime/network/etc-files.js'

const host = {hosts: '127.0.0.1 localhost\n10.1.2.3 myhost\n', resolvConf: 'search corp.example\nnameserver 127.0.0.53\nnameserver 10.0.0.2\noptions edns0\n'}

describe('per-instance /etc files', () => {
  it("an instance with its own address: Docker's default records, then its address and hostname", () => {
    const f = etcFiles({hostname: 'c-1', network: 'own', ip: '198.19.0.7', host})
    const lines = f.hosts.trimEnd().split('\n')
    expect(lines.slice(0, DEFAULT_HOSTS.length)).toEqual(DEFAULT_HOSTS.map(([ip, n]) => `${ip}\t${n}`))
    expect(lines.at(-1)).toBe('198.19.0.7\tc-1')
    expect(f.hostname).toBe('c-1\n')
    expect(f.resolvConf).toBe('search corp.example\nnameserver 10.0.0.2\noptions edns0\n')
  })
  it('network none: the default records only; network host: the host files as they are', () => {
    expect(etcFiles({hostname: 'c-1', network: 'none', host}).hosts).not.toContain('c-1')
    const h = etcFiles({hostname: 'c-1', network: 'host', host})
    expect(h.hosts).toBe(host.hosts)
    expect(h.resolvConf).toBe(host.resolvConf)
  })
  it("only loopback nameservers on the host: Docker's fallback", () => {
    const r = filterResolvConf('nameserver 127.0.0.53\nnameserver ::1\n')
    expect(nameservers(r)).toEqual(['8.8.8.8', '8.8.4.4'])
  })
})
