import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {GUEST_INIT, GUEST_INIT_SCRIPT, MAX_CMDLINE, guestCmdline, shellQuote, workloadFragment} from '../../../src/vm/guest-init.js'

describe('workloadFragment', () => {
  it('round-trips hostile argv and env through a real shell', async () => {
    const argv = ['sh', '-c', `echo "$1" 'it''s' $HOME; rm -rf / #`, `a'b"c$(reboot)\`x\`\n;|&`]
    const env = {FOO: `x'y"z $(id)`, EMPTY: ''}
    const script = workloadFragment(argv, env) + `printf '%s\\0' "$@"; printf 'FOO=%s\\0EMPTY=%s' "$FOO" "$EMPTY"`
    const r = await execa('/bin/busybox', ['sh', '-c', script])
    const parts = r.stdout.split('\0')
    expect(parts.slice(0, argv.length)).toEqual(argv)
    expect(parts.slice(argv.length)).toEqual([`FOO=${env.FOO}`, 'EMPTY='])
  })

  it('rejects environment names a shell cannot export', () => {
    expect(() => workloadFragment(['true'], {'A;reboot': 'x'})).toThrow(/not a valid shell name/)
    expect(() => workloadFragment(['true'], {'1X': 'x'})).toThrow(/not a valid shell name/)
  })

  it('quotes single quotes', () => {
    expect(shellQuote(`a'b`)).toBe(`'a'\\''b'`)
  })
})

describe('guestCmdline', () => {
  it('has the console, init and the encoded workload, and no spaces inside the payload', () => {
    const line = guestCmdline({
      argv: ['sleep', '3600'],
      env: {ISOBENCH_NAME: 'idle'},
      modules: ['virtio', 'virtio_mmio'],
      net: '198.19.254.15/24,198.19.254.2',
      tscKhz: 2445422.4,
    })
    expect(line).toContain('console=ttyS0')
    expect(line).toContain(`rdinit=${GUEST_INIT}`)
    expect(line).toContain('isobench.mods=virtio,virtio_mmio')
    expect(line).toContain('isobench.net=198.19.254.15/24,198.19.254.2')
    expect(line).toContain('tsc_early_khz=2445422 ')
    const w = line.split(' ').find((p) => p.startsWith('isobench.w='))!
    expect(Buffer.from(w.slice('isobench.w='.length), 'base64').toString()).toBe(workloadFragment(['sleep', '3600'], {ISOBENCH_NAME: 'idle'}))
    expect(line).not.toContain('tsc=reliable isobench.root')
  })

  it('refuses a workload that does not fit the kernel command line', () => {
    expect(() => guestCmdline({argv: ['echo', 'x'.repeat(MAX_CMDLINE)], env: {}, modules: []})).toThrow(/do not fit the kernel command line/)
  })

  it("the guest init runs the injected init, never the image's /bin/sh, and reboots after (powers off when told)", () => {
    expect(GUEST_INIT_SCRIPT).toContain('chroot $R /isobench/init "$@"; else /isobench/init "$@"; fi')
    expect(GUEST_INIT_SCRIPT).not.toMatch(/(^|[^/])\/bin\/sh/)
    expect(GUEST_INIT_SCRIPT).toContain('halt=reboot')
    expect(GUEST_INIT_SCRIPT).toContain('isobench.halt=poweroff) halt=poweroff;;')
    expect(GUEST_INIT_SCRIPT.trimEnd().endsWith('$B $halt -f')).toBe(true)
  })

  it("qemu's defaults (reboot=t, panic=-1, no halt parameter) unless a VMM asks for its own", () => {
    const q = guestCmdline({argv: ['true'], env: {}, modules: []}).split(' ')
    expect(q).toEqual(expect.arrayContaining(['reboot=t', 'panic=-1']))
    expect(q.some((p) => p.startsWith('isobench.halt='))).toBe(false)
    const f = guestCmdline({argv: ['true'], env: {}, modules: [], reboot: 'k', panicSeconds: 1, halt: 'poweroff'}).split(' ')
    expect(f).toEqual(expect.arrayContaining(['reboot=k', 'panic=1', 'isobench.halt=poweroff']))
    expect(f).not.toContain('reboot=t')
  })
})
