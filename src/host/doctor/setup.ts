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

export const setupSteps: SetupStep[] = [
  {
    // Debian's docker-registry package enables a registry on :5000 (all interfaces) at install; the tests
    // start their own on 127.0.0.1 with a private config, so the system service is only an exposure.
    name: 'docker-registry system service (disabled; tests run their own)',
    async run({log, check}) {
      if (!existsSync('/lib/systemd/system/docker-registry.service') || !existsSync('/bin/systemctl')) return log('no docker-registry system service')
      const enabled = (await execa('systemctl', ['is-enabled', 'docker-registry'], {reject: false})).stdout.trim()
      if (enabled !== 'enabled') return log(`docker-registry service is ${enabled || 'not enabled'}`)
      if (check) throw new Error('the docker-registry system service is enabled (run `isobench setup` to disable it)')
      await execa('systemctl', ['disable', '--now', 'docker-registry'], {reject: false})
      log('disabled the docker-registry system service')
    },
  },
  {
    // Debian's lxc package enables lxc-net, which makes a bridge (lxcbr0, 10.0.3.0/24) with a dnsmasq at
    // boot. The lxc arm gives its containers no network (lxc.net.0.type = empty): the bridge is only an exposure.
    name: 'lxc-net system service (disabled; the lxc arm uses no bridge)',
    async run({log, check}) {
      if (!existsSync('/lib/systemd/system/lxc-net.service') || !existsSync('/bin/systemctl')) return log('no lxc-net system service')
      const enabled = (await execa('systemctl', ['is-enabled', 'lxc-net'], {reject: false})).stdout.trim()
      if (enabled !== 'enabled') return log(`lxc-net service is ${enabled || 'not enabled'}`)
      if (check) throw new Error('the lxc-net system service is enabled (run `isobench setup` to disable it)')
      await execa('systemctl', ['disable', '--now', 'lxc-net'], {reject: false})
      log('disabled the lxc-net system service')
    },
  },
  {
    // The container runtime's C helper (src/runtime/native/nsexec.c → build/native/isobench-nsexec), built with the host's cc.
    name: 'container runtime helper (isobench-nsexec)',
    async run({log, check}) {
      if (nsexecIsCurrent()) return log(`runtime helper ${NSEXEC_BINARY} is current`)
      if (check) throw new Error(`runtime helper ${NSEXEC_BINARY} is missing or older than its source (run \`isobench setup\`)`)
      log(`built ${await buildNsexec()}`)
    },
  },
  {
    // The OCI runtime (src/runtime/native/runtime.c and its units → build/native/isobench-runtime), built with the host's cc.
    name: 'OCI runtime (isobench-runtime)',
    async run({log, check}) {
      if (runtimeIsCurrent()) return log(`OCI runtime ${RUNTIME_BINARY} is current`)
      if (check) throw new Error(`OCI runtime ${RUNTIME_BINARY} is missing or older than its sources (run \`isobench setup\`)`)
      log(`built ${await buildRuntime()}`)
    },
  },
  {
    // The process arm's launcher (src/runtime/native/launch.c → build/native/isobench-launch): the
    // workload's parent, so that it dies with isobench (PR_SET_PDEATHSIG) and prune can find it.
    name: 'process arm launcher (isobench-launch)',
    async run({log, check}) {
      if (launcherIsCurrent()) return log(`launcher ${LAUNCH_BINARY} is current`)
      if (check) throw new Error(`launcher ${LAUNCH_BINARY} is missing or older than its source (run \`isobench setup\`)`)
      log(`built ${await buildLauncher()}`)
    },
  },
  {
    // The init every instance runs (src/runtime/native/init/isobench-init.c → build/native/isobench-init), static.
    name: 'instance init (isobench-init)',
    async run({log, check}) {
      if (initIsCurrent()) return log(`instance init ${INIT_BINARY} is current`)
      if (check) throw new Error(`instance init ${INIT_BINARY} is missing or older than its source (run \`isobench setup\`)`)
      log(`built ${await buildInit()}`)
    },
  },
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
