/**
 * bench.config.ts: typed defaults for every run. `defineConfig()` is what the config file calls;
 * `configSchema` validates what it returns (unknown keys are errors, so typos are caught).
 */
import {z} from 'zod'
import {boundedNumber} from './bounds.js'

/**
 * TCG translation cache (MiB): qemu's default is 1 GiB. Booting the idle image touches ≈ 36 MiB of
 * a 64 MiB cache. 16 MiB lowers qemu's PSS by ≈ 23 MiB but boot-to-ready took ≈ 5–10% longer in
 * interleaved boots here (medians ≈ 2.54 s vs 2.42 s, 8 each); the cpu workload did not move.
 * Boot time is the figure this arm is judged on first, so 64 stays the default (config vm.tbSizeMiB).
 */
export const DEFAULT_TB_SIZE_MIB = 64

/** vm.accel: probe for KVM, or force one. */
export const VM_ACCELS = ['auto', 'kvm', 'tcg'] as const

export const configSchema = z
  .strictObject({
    reps: boundedNumber('reps').default(10).describe('measured repetitions of each cell (warm-ups not included), when the scenario gives none'),
    warmup: boundedNumber('warmup').default(1).describe('unmeasured repetitions of each cell, run before the measured ones'),
    outDir: z.string().min(1).default('reports').describe('where runs are written: <outDir>/<runId>/results.json and report.html; `run --out` overrides'),
    arms: z
      .array(z.string().min(1).max(100))
      .min(1)
      .max(64)
      .optional()
      .describe('the arms a run uses when neither the scenario nor `--arms` names them; default: every built-in arm (`isobench providers`)'),
    budgetSeconds: boundedNumber('budgetSeconds')
      .default(1800)
      .describe(
        'wall-clock budget of one run in seconds, from its start (preparation included), when the scenario gives none; the run stops adding samples when it is spent',
      ),
    readyTimeoutSeconds: boundedNumber('readyTimeoutSeconds').default(60).describe('deadline for one instance to become ready, in seconds'),
    stateDir: z
      .string()
      .min(1)
      .default('/var/lib/isobench')
      .describe('state for images, containers, VMs and caches; `--state-dir` and ISOBENCH_STATE_DIR override it'),
    seed: z
      .number()
      .int()
      .optional()
      .describe('seed of the randomized block order and the bootstrap; omit for a fresh seed per run (recorded in results.json)'),
    equivalenceDelta: boundedNumber('equivalenceDelta')
      .default(0.05)
      .describe('comparisons whose 95% CI lies within ±equivalenceDelta (a fraction) are called equivalent'),
    engineSockets: z
      .strictObject({
        docker: z.string().min(1).max(4096).optional().describe("the docker daemon's socket, e.g. /run/docker.sock"),
        ctr: z.string().min(1).max(4096).optional().describe("containerd's socket, e.g. /run/containerd/containerd.sock"),
      })
      .optional()
      .describe(
        'a running engine daemon an engine arm may use instead of starting its own private one, by arm (`run --engine-socket`); never used unless given',
      ),
    vm: z
      .strictObject({
        kernel: z.string().optional().describe("path to a guest kernel (bzImage/vmlinuz); default: Debian's cloud kernel that `isobench setup` fetches"),
        accel: z.enum(VM_ACCELS).default('auto').describe('the accelerator: auto (KVM when a probe boot works, else TCG), or force kvm or tcg'),
        tbSizeMiB: boundedNumber('tbSizeMiB')
          .default(DEFAULT_TB_SIZE_MIB)
          .describe('TCG translation cache in MiB (ignored under KVM): 64 boots fastest here; 16 saves ≈ 23 MiB of qemu PSS per VM for ≈ 5–10% longer boots'),
      })
      .prefault({})
      .describe('the VM arm'),
  })
  .prefault({})

export type IsobenchConfigInput = z.input<typeof configSchema>
export type IsobenchConfig = z.output<typeof configSchema>
