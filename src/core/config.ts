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
    /** Measured repetitions per cell (warm-ups not included). */
    reps: boundedNumber('reps').default(10),
    /** Unmeasured repetitions per cell, run before the measured ones. */
    warmup: boundedNumber('warmup').default(1),
    /** Where runs are written: <outDir>/<runId>/results.json. */
    outDir: z.string().min(1).default('reports'),
    /** Arms a run uses when neither the scenario nor --arms names them; default: every built-in arm (`isobench providers`). */
    arms: z.array(z.string().min(1).max(100)).min(1).max(64).optional(),
    /** Wall-clock budget for one run, in seconds; a run stops adding samples when it is spent. */
    budgetSeconds: boundedNumber('budgetSeconds').default(1800),
    /** Deadline for one instance to become ready, in seconds. */
    readyTimeoutSeconds: boundedNumber('readyTimeoutSeconds').default(60),
    /** State for images, containers, VMs (content-addressed store, caches). */
    stateDir: z.string().min(1).default('/var/lib/isobench'),
    /** Seed for the randomized block order; omit for a fresh seed per run (recorded in results). */
    seed: z.number().int().optional(),
    /** Comparisons within ±equivalenceDelta (fraction) are called "equivalent". */
    equivalenceDelta: boundedNumber('equivalenceDelta').default(0.05),
    /**
     * A running engine daemon an engine arm may use instead of starting its own private one, by arm:
     * `{docker: '/run/docker.sock', ctr: '/run/containerd/containerd.sock'}` (run's --engine-socket).
     * Never used unless given: by default each engine arm starts its own daemon with private dirs.
     */
    engineSockets: z.strictObject({docker: z.string().min(1).max(4096).optional(), ctr: z.string().min(1).max(4096).optional()}).optional(),
    vm: z
      .strictObject({
        /** Path to a guest kernel (bzImage/vmlinuz); default: Debian's cloud kernel fetched by `isobench setup`. */
        kernel: z.string().optional(),
        /** Force an accelerator instead of probing. */
        accel: z.enum(VM_ACCELS).default('auto'),
        /**
         * TCG translation cache in MiB (ignored under KVM). 64 boots fastest here; 16 saves ≈ 23 MiB
         * of qemu PSS per VM for ≈ 5–10% longer boots (npm run bench:vm measures both figures).
         */
        tbSizeMiB: boundedNumber('tbSizeMiB').default(DEFAULT_TB_SIZE_MIB),
      })
      .prefault({}),
  })
  .prefault({})

export type IsobenchConfigInput = z.input<typeof configSchema>
export type IsobenchConfig = z.output<typeof configSchema>
