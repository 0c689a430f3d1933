/**
 * Setup steps beyond apt packages (guest kernel, C helpers, …). Each area adds its step here;
 * every step is idempotent and quick when its artefact is already present.
 */
import {existsSync} from 'node:fs'
import {execa} from 'execa'
import {loadConfig} from '../../config/load.js'
import {
  buildLauncher,
  buildNsexec,
  buildRuntime,
  launcherIsCurrent,
  LAUNCH_BINARY,
  nsexecIsCurrent,
  NSEXEC_BINARY,
  RUNTIME_BINARY,
  runtimeIsCurrent,
} from '../../runtime/native/build.js'
import {buildInit, initIsCurrent, INIT_BINARY} from '../../runtime/native/init.js'
import {fetchCloudKernel} from '../../vm/kernel.js'

export interface SetupStep {
  name: string
  run(opts: {log: (msg: string) => void; check: boolean}): Promise<void>
}

/**
 * A system service a Debian package enables at install that isobench needs off: disabled with
 * `systemctl disable --now`; with check, an enabled one is an error. Hosts without systemd or the unit pass.
 */
function serviceDisabled(service: string, name: string): SetupStep {
  return {
    name,
    async run({log, check}) {
      if (!existsSync(`/lib/systemd/system/${service}.service`) || !existsSync('/bin/systemctl')) return log(`no ${service} system service`)
      const enabled = (await execa('systemctl', ['is-enabled', service], {reject: false})).stdout.trim()
      if (enabled !== 'enabled') return log(`${service} service is ${enabled || 'not enabled'}`)
      if (check) throw new Error(`the ${service} system service is enabled (run \`isobench setup\` to disable it)`)
      await execa('systemctl', ['disable', '--now', service], {reject: false})
      log(`disabled the ${service} system service`)
    },
  }
}

/**
 * One of the C programs under src/runtime/native, built with the host's cc when its binary is missing
 * or older than its sources (`sources`: the word the messages use, 'source' unless told); with check, that is an error.
 */
function nativeProgram(
  name: string,
  program: {what: string; binary: string; isCurrent: () => boolean; build: () => Promise<string>; sources?: 'source' | 'sources'},
): SetupStep {
  const {what, binary, isCurrent, build, sources = 'source'} = program
  return {
    name,
    async run({log, check}) {
      if (isCurrent()) return log(`${what} ${binary} is current`)
      if (check) throw new Error(`${what} ${binary} is missing or older than its ${sources} (run \`isobench setup\`)`)
      log(`built ${await build()}`)
    },
  }
}

export const setupSteps: SetupStep[] = [
  // Debian's docker-registry package enables a registry on :5000 (all interfaces) at install; the tests
  // start their own on 127.0.0.1 with a private config, so the system service is only an exposure.
  serviceDisabled('docker-registry', 'docker-registry system service (disabled; tests run their own)'),
  // Debian's lxc package enables lxc-net, which makes a bridge (lxcbr0, 10.0.3.0/24) with a dnsmasq at
  // boot. The lxc arm gives its containers no network (lxc.net.0.type = empty): the bridge is only an exposure.
  serviceDisabled('lxc-net', 'lxc-net system service (disabled; the lxc arm uses no bridge)'),
  // The container runtime's C helper (src/runtime/native/nsexec.c → build/native/isobench-nsexec), built with the host's cc.
  nativeProgram('container runtime helper (isobench-nsexec)', {what: 'runtime helper', binary: NSEXEC_BINARY, isCurrent: nsexecIsCurrent, build: buildNsexec}),
  // The OCI runtime (src/runtime/native/runtime.c and its units → build/native/isobench-runtime), built with the host's cc.
  nativeProgram('OCI runtime (isobench-runtime)', {
    what: 'OCI runtime',
    binary: RUNTIME_BINARY,
    isCurrent: runtimeIsCurrent,
    build: buildRuntime,
    sources: 'sources',
  }),
  // The process arm's launcher (src/runtime/native/launch.c → build/native/isobench-launch): the
  // workload's parent, so that it dies with isobench (PR_SET_PDEATHSIG) and prune can find it.
  nativeProgram('process arm launcher (isobench-launch)', {what: 'launcher', binary: LAUNCH_BINARY, isCurrent: launcherIsCurrent, build: buildLauncher}),
  // The init every instance runs (src/runtime/native/init/isobench-init.c → build/native/isobench-init), static.
  nativeProgram('instance init (isobench-init)', {what: 'instance init', binary: INIT_BINARY, isCurrent: initIsCurrent, build: buildInit}),
  {
    // The VM arm's guest kernel: Debian's cloud kernel via apt-get download + dpkg -x (src/vm/kernel.ts).
    name: 'guest kernel for the VM arm',
    async run({log, check}) {
      const stateDir = process.env.ISOBENCH_STATE_DIR || (await loadConfig()).config.stateDir
      const {kernel, fetched} = await fetchCloudKernel(stateDir, {log, check})
      if (kernel && !fetched) log(`guest kernel ${kernel.version} already in ${stateDir}`)
    },
  },
]
