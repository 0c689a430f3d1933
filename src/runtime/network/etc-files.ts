/**
 * The per-instance files Docker writes for every container and bind-mounts over the image's own:
 * /etc/hosts, /etc/hostname and /etc/resolv.conf. Without them a program that resolves its own
 * hostname (Python's http.server does, for every request it logs) waits for DNS timeouts. The VM
 * arm's guest init writes the same content into the guest. Pure, tested in test/unit/runtime.
 *
 * Rules (moby libnetwork: etchosts.Build and resolvconf.FilterResolvDNS):
 *   hosts        Docker's default records, then `<ip>\t<hostname>` when the instance has an address
 *                of its own (bridge, a VM's NIC); on network `host` the host's /etc/hosts as it is;
 *                on `none` the default records only.
 *   hostname     the hostname and a newline.
 *   resolv.conf  the host's, as it is on network `host`; elsewhere without localhost nameservers
 *                (127.0.0.0/8, ::1: they do not answer inside another network namespace), and with
 *                Docker's fallback (8.8.8.8, 8.8.4.4) when none remain.
 */
import {readFileSync} from 'node:fs'

/** Docker's default /etc/hosts records (moby libnetwork/etchosts defaultContent). */
export const DEFAULT_HOSTS: ReadonlyArray<[string, string]> = [
  ['127.0.0.1', 'localhost'],
  ['::1', 'localhost ip6-localhost ip6-loopback'],
  ['fe00::0', 'ip6-localnet'],
  ['ff00::0', 'ip6-mcastprefix'],
  ['ff02::1', 'ip6-allnodes'],
  ['ff02::2', 'ip6-allrouters'],
]
/** Docker's nameservers when the host's are all on loopback (moby resolvconf defaultIPv4Dns). */
export const FALLBACK_NAMESERVERS = ['8.8.8.8', '8.8.4.4']

export type EtcNetwork = 'none' | 'host' | 'own'

export interface EtcFiles {
  hosts: string
  hostname: string
  resolvConf: string
}

const LOOPBACK_NS = /^(127\.\d+\.\d+\.\d+|::1)$/

/** The host's /etc/hosts and /etc/resolv.conf (empty when unreadable). */
export function hostEtc(): {hosts: string; resolvConf: string} {
  const read = (p: string) => {
    try {
      return readFileSync(p, 'utf8')
    } catch {
      return ''
    }
  }
  return {hosts: read('/etc/hosts'), resolvConf: read('/etc/resolv.conf')}
}

/** resolv.conf for an instance in a network namespace of its own: the host's without loopback nameservers. */
export function filterResolvConf(host: string): string {
  const lines = host.split('\n').filter((l) => {
    const m = /^\s*nameserver\s+(\S+)/.exec(l)
    return !m || !LOOPBACK_NS.test(m[1]!)
  })
  const kept = lines.filter((l) => /^\s*nameserver\s/.test(l))
  const body = lines.join('\n').replace(/\n+$/, '')
  const fallback = kept.length === 0 ? FALLBACK_NAMESERVERS.map((ns) => `nameserver ${ns}`).join('\n') : ''
  return [body, fallback].filter(Boolean).join('\n') + '\n'
}

/** The nameservers of a resolv.conf, in order. */
export function nameservers(resolvConf: string): string[] {
  return [...resolvConf.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]!)
}

/** The three files for an instance: `ip` is its own address (bridge or NIC), absent on none and host. */
export function etcFiles(o: {hostname: string; network: EtcNetwork; ip?: string; host?: {hosts: string; resolvConf: string}}): EtcFiles {
  const host = o.host ?? hostEtc()
  const defaults = DEFAULT_HOSTS.map(([ip, names]) => `${ip}\t${names}`)
  const hosts = o.network === 'host' ? host.hosts : [...defaults, ...(o.ip ? [`${o.ip}\t${o.hostname}`] : [])].join('\n') + '\n'
  const resolvConf = o.network === 'host' ? host.resolvConf : filterResolvConf(host.resolvConf)
  return {hosts, hostname: `${o.hostname}\n`, resolvConf}
}
