/**
 * The guest's PID 1: a small busybox script that wraps the SAME init every arm runs
 * (src/images/init.ts, /isobench/init in the image). It mounts /proc, /sys and /dev, loads the
 * virtio modules the host asked for, configures eth0, mounts the ext4 root when the image came as a
 * disk, runs `/bin/sh /isobench/init <workload argv>` exactly as the container arms do — markers on
 * the serial console — and reboots when the workload exits (with `reboot=t` and qemu's
 * `-no-reboot`, that ends the qemu process; `poweroff` does not end a microvm).
 *
 * What to run comes on the kernel command line: `isobench.w=<base64 of a shell fragment>` that
 * exports the environment and `set --`s the argv, so the cached initramfs serves every workload.
 */
import {createHash} from 'node:crypto'
import {INIT_PATH_IN_IMAGE} from '../images/init.js'

/** Where the wrapper and its tools live inside the guest (added to the image's tree, never replacing it). */
export const GUEST_VM_DIR = '/isobench/vm'
export const GUEST_INIT = `${GUEST_VM_DIR}/init`
export const GUEST_BUSYBOX = `${GUEST_VM_DIR}/busybox`
export const SKIPPED_INITCALLS = ['init_kprobe_trace', 'crypto_kdf108_init', 'perf_event_sysfs_init']
/** x86's COMMAND_LINE_SIZE, minus the terminating NUL. */
export const MAX_CMDLINE = 2047

export const GUEST_INIT_SCRIPT = `#!${GUEST_BUSYBOX} sh
# isobench VM init (PID 1): set up the guest, run the image's isobench init, reboot (= qemu exits).
# Every external command is a fork + exec of busybox, which TCG makes slow: the command line is
# parsed with shell builtins, and only what must run runs (six fewer execs saved ≈ 0.25 s of boot).
B=${GUEST_BUSYBOX}
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
for d in /proc /sys /dev; do [ -d $d ] || $B mkdir -p $d; done
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev 2>/dev/null
read -r cmdline < /proc/cmdline
mods= net= root= w=
for a in $cmdline; do
  case "$a" in
    isobench.mods=*) mods="\${a#*=}";;
    isobench.net=*) net="\${a#*=}";;
    isobench.root=*) root="\${a#*=}";;
    isobench.w=*) w="\${a#*=}";;
  esac
done
for m in \${mods//,/ }; do $B insmod ${GUEST_VM_DIR}/modules/$m.ko || echo "isobench-vm: insmod $m failed"; done
$B ip link set lo up 2>/dev/null
if [ -n "$net" ]; then
  i=0; while ! [ -e /sys/class/net/eth0 ] && [ $i -lt 200 ]; do $B usleep 10000; i=$((i+1)); done
  $B ip addr add "\${net%,*}" dev eth0 && $B ip link set eth0 up && $B ip route add default via "\${net#*,}" || echo "isobench-vm: network setup failed ($net)"
fi
R=
if [ -n "$root" ]; then
  i=0; while ! [ -e /dev/$root ] && [ $i -lt 500 ]; do $B usleep 10000; i=$((i+1)); done
  $B mkdir -p /newroot && $B mount -t ext4 /dev/$root /newroot || { echo "isobench-vm: cannot mount /dev/$root"; $B reboot -f; }
  for d in proc sys dev; do [ -d /newroot/$d ] || $B mkdir -p /newroot/$d; $B mount --bind /$d /newroot/$d; done
  R=/newroot
fi
# From here on the console carries the workload's output: keep kernel messages (which would land
# in the middle of its lines, e.g. inside fio's JSON) off it; dmesg still has them.
echo 1 > /proc/sys/kernel/printk 2>/dev/null
echo "$w" | $B base64 -d > /isobench-workload.sh
. /isobench-workload.sh
cd /
if [ -n "$R" ]; then $B chroot $R /bin/sh ${INIT_PATH_IN_IMAGE} "$@"; else /bin/sh ${INIT_PATH_IN_IMAGE} "$@"; fi
$B sync
$B reboot -f
`

/** A short hash of the guest init: part of every initramfs cache key. */
export const GUEST_INIT_HASH = createHash('sha256').update(GUEST_INIT_SCRIPT).digest('hex').slice(0, 12)

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** The shell fragment the guest init sources: exports, then `set -- argv`. */
export function workloadFragment(argv: string[], env: Record<string, string>, cwd?: string): string {
  const lines: string[] = []
  for (const [k, v] of Object.entries(env)) {
    if (!ENV_NAME.test(k)) throw new Error(`environment variable name ${JSON.stringify(k)} is not a valid shell name`)
    lines.push(`export ${k}=${shellQuote(v)}`)
  }
  lines.push(`set -- ${argv.map(shellQuote).join(' ')}`)
  if (cwd && cwd !== '/') lines.push(`cd ${shellQuote(cwd)} 2>/dev/null || true`)
  return lines.join('\n') + '\n'
}

export interface GuestCmdlineOptions {
  argv: string[]
  env: Record<string, string>
  /** Modules to insmod, in order (names). */
  modules: string[]
  /** `ip/prefix,gateway` for eth0, when the guest has a network. */
  net?: string
  /** Block device holding the root (ext4 disk), e.g. 'vda'; omitted for an initramfs. */
  root?: string
  /** Host TSC frequency for TCG guests that cannot calibrate their own (microvm has no PIT/HPET to calibrate against). */
  tscKhz?: number
  /** Extra kernel parameters (from the config or the user). */
  extra?: string[]
}

/**
 * The kernel command line. `earlyprintk` + `loglevel=6` keeps the console short (~25 lines) yet
 * prints the kernel's "Linux version" banner at kernel entry — the host's "first kernel output".
 */
export function guestCmdline(o: GuestCmdlineOptions): string {
  const parts = [
    'console=ttyS0',
    'earlyprintk=ttyS0',
    'loglevel=6',
    'panic=-1',
    'reboot=t',
    `rdinit=${GUEST_INIT}`,
    'no_timer_check',
    'cryptomgr.notests',
    'random.trust_cpu=on',
    // Initcalls a benchmark guest never needs and TCG makes slow (~0.2-0.5 s together, measured
    // with initcall_debug): kprobe trace events, the SP800-108 KDF self-test, perf's PMU sysfs.
    `initcall_blacklist=${SKIPPED_INITCALLS.join(',')}`,
    ...(o.tscKhz ? [`tsc_early_khz=${Math.round(o.tscKhz)}`, 'tsc=reliable'] : []),
    ...(o.modules.length ? [`isobench.mods=${o.modules.join(',')}`] : []),
    ...(o.net ? [`isobench.net=${o.net}`] : []),
    ...(o.root ? [`isobench.root=${o.root}`] : []),
    ...(o.extra ?? []),
    `isobench.w=${Buffer.from(workloadFragment(o.argv, o.env)).toString('base64')}`,
  ]
  const line = parts.join(' ')
  if (line.length > MAX_CMDLINE) {
    throw new Error(
      `the workload's command and environment do not fit the kernel command line (${line.length} > ${MAX_CMDLINE} bytes); shorten them or bake them into the image`,
    )
  }
  return line
}
