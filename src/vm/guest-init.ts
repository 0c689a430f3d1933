/**
 * The guest's PID 1: a small script run by the guest's OWN static busybox (never the image's
 * /bin/sh: an image may have no shell at all). It mounts /proc, /sys and /dev, loads the virtio
 * modules the host asked for, configures eth0, mounts the ext4 root when the image came as a disk,
 * writes /etc/hosts, /etc/hostname and /etc/resolv.conf as Docker writes them for a container
 * (src/runtime/network/etc-files.ts), and runs the injected init (/isobench/init, the same static
 * binary every arm runs: markers on the serial console) with the workload's argv, exactly as the
 * container arms do. When the workload exits it reboots (with `reboot=t` and qemu's `-no-reboot`,
 * that ends the qemu process; `poweroff` does not end a microvm). `isobench.halt=poweroff` makes it
 * power off instead: Cloud Hypervisor resets the VM on a guest reboot and exits on an ACPI power-off.
 *
 * An image booted from an ext4 disk is entered with chroot after the init is bind-mounted into it,
 * so the init is there after the switch whatever the image holds (it is never written to the disk).
 *
 * What to run comes on the kernel command line: `isobench.w=<base64 of a shell fragment>` that
 * exports the environment and `set --`s the init's argv, so the cached initramfs serves every
 * workload; `isobench.host=` is the hostname, `isobench.dns=` the nameservers (comma-separated).
 */
import {createHash} from 'node:crypto'
import {DEFAULT_HOSTS} from '../runtime/network/etc-files.js'
import {INIT_PATH_IN_INSTANCE} from '../runtime/native/init.js'

/** Where the wrapper and its tools live inside the guest (added to the image's tree, never replacing it). */
export const GUEST_VM_DIR = '/isobench/vm'
export const GUEST_INIT = `${GUEST_VM_DIR}/init`
export const GUEST_BUSYBOX = `${GUEST_VM_DIR}/busybox`
export const SKIPPED_INITCALLS = ['init_kprobe_trace', 'crypto_kdf108_init', 'perf_event_sysfs_init']
/** x86's COMMAND_LINE_SIZE, minus the terminating NUL. */
export const MAX_CMDLINE = 2047

const HOSTS_DEFAULTS = DEFAULT_HOSTS.map(([ip, names]) => `${ip}\t${names}`).join('\n')

export const GUEST_INIT_SCRIPT = `#!${GUEST_BUSYBOX} sh
# isobench VM init (PID 1): set up the guest, run the injected init, reboot (= qemu exits).
# Every external command is a fork + exec of busybox, which TCG makes slow: the command line is
# parsed with shell builtins, and only what must run runs (six fewer execs saved ≈ 0.25 s of boot).
B=${GUEST_BUSYBOX}
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
for d in /proc /sys /dev; do [ -d $d ] || $B mkdir -p $d; done
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev 2>/dev/null
read -r cmdline < /proc/cmdline
mods= net= root= w= host=isobench dns= halt=reboot
for a in $cmdline; do
  case "$a" in
    isobench.mods=*) mods="\${a#*=}";;
    isobench.net=*) net="\${a#*=}";;
    isobench.root=*) root="\${a#*=}";;
    isobench.host=*) host="\${a#*=}";;
    isobench.dns=*) dns="\${a#*=}";;
    isobench.w=*) w="\${a#*=}";;
    isobench.halt=poweroff) halt=poweroff;;
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
  # The injected init is not on the disk: bind it in (the target file lands on this instance's overlay only).
  $B mkdir -p $R${INIT_PATH_IN_INSTANCE.slice(0, INIT_PATH_IN_INSTANCE.lastIndexOf('/'))} && $B touch $R${INIT_PATH_IN_INSTANCE} && $B mount --bind ${INIT_PATH_IN_INSTANCE} $R${INIT_PATH_IN_INSTANCE} || echo "isobench-vm: cannot bind the init into the disk root"
fi
# /etc/hosts, /etc/hostname, /etc/resolv.conf as Docker writes them for a container (replacing the image's).
$B hostname "$host"
[ -d $R/etc ] || $B mkdir -p $R/etc
$B rm -f $R/etc/hosts $R/etc/hostname $R/etc/resolv.conf
{ printf '${HOSTS_DEFAULTS}\n'; [ -n "$net" ] && printf '%s\t%s\n' "\${net%%/*}" "$host"; } > $R/etc/hosts
echo "$host" > $R/etc/hostname
: > $R/etc/resolv.conf; for n in \${dns//,/ }; do echo "nameserver $n" >> $R/etc/resolv.conf; done
# From here on the console carries the workload's output: keep kernel messages (which would land
# in the middle of its lines, e.g. inside fio's JSON) off it; dmesg still has them.
echo 1 > /proc/sys/kernel/printk 2>/dev/null
echo "$w" | $B base64 -d > /isobench-workload.sh
. /isobench-workload.sh
cd /
if [ -n "$R" ]; then $B chroot $R ${INIT_PATH_IN_INSTANCE} "$@"; else ${INIT_PATH_IN_INSTANCE} "$@"; fi
$B sync
$B $halt -f
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
  /** The guest's hostname (written to /etc/hostname and /etc/hosts), [A-Za-z0-9-] only. */
  hostname?: string
  /** Nameservers for the guest's /etc/resolv.conf. */
  nameservers?: string[]
  /** Host TSC frequency for TCG guests that cannot calibrate their own (microvm has no PIT/HPET to calibrate against). */
  tscKhz?: number
  /** Extra kernel parameters (from the config or the user). */
  extra?: string[]
  /**
   * How the kernel resets the machine on reboot (the kernel's `reboot=` parameter): 't' (triple
   * fault, default: qemu with -no-reboot exits) or 'k' (the i8042 reset line: Firecracker's exit).
   */
  reboot?: 't' | 'k'
  /** `panic=`: seconds before a panicked kernel reboots; -1 (default) reboots at once. */
  panicSeconds?: number
  /** What the init does when the workload has exited: 'reboot' (default) or 'poweroff' (`isobench.halt=poweroff`). */
  halt?: 'reboot' | 'poweroff'
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
    `panic=${o.panicSeconds ?? -1}`,
    `reboot=${o.reboot ?? 't'}`,
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
    ...(o.hostname ? [`isobench.host=${o.hostname.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 63)}`] : []),
    ...(o.nameservers?.length ? [`isobench.dns=${o.nameservers.filter((n) => /^[0-9a-fA-F.:]+$/.test(n)).join(',')}`] : []),
    ...(o.halt === 'poweroff' ? ['isobench.halt=poweroff'] : []),
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
