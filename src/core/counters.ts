/**
 * The attribution counters, declared once: name, unit, what it counts and its group. The recorder
 * (src/engine/attribution/) writes them next to every sample; the report's "where the time and
 * memory go" section labels and orders them from this table.
 */
export type CounterGroup = 'cpu' | 'scheduling' | 'memory' | 'vmm' | 'host' | 'perf' | 'overhead'

export interface CounterInfo {
  name: string
  unit: string
  label: string
  group: CounterGroup
}

export const COUNTERS: CounterInfo[] = [
  {name: 'cpu_s', unit: 's', label: 'CPU time (user + system)', group: 'cpu'},
  {name: 'cpu_user_s', unit: 's', label: 'user CPU time', group: 'cpu'},
  {name: 'cpu_system_s', unit: 's', label: 'system CPU time', group: 'cpu'},
  {name: 'ctx_voluntary', unit: 'switches', label: 'voluntary context switches', group: 'scheduling'},
  {name: 'ctx_involuntary', unit: 'switches', label: 'involuntary context switches', group: 'scheduling'},
  {name: 'throttled_periods', unit: 'periods', label: 'CFS periods throttled (cpu.stat)', group: 'scheduling'},
  {name: 'throttled_s', unit: 's', label: 'time throttled (cpu.stat)', group: 'scheduling'},
  {name: 'psi_cpu_some_ms', unit: 'ms', label: 'instance CPU pressure stall (some)', group: 'scheduling'},
  {name: 'faults_minor', unit: 'faults', label: 'minor page faults', group: 'memory'},
  {name: 'faults_major', unit: 'faults', label: 'major page faults', group: 'memory'},
  {name: 'psi_memory_some_ms', unit: 'ms', label: 'instance memory pressure stall (some)', group: 'memory'},
  {name: 'vcpu_s', unit: 's', label: 'VMM vCPU threads CPU', group: 'vmm'},
  {name: 'io_threads_s', unit: 's', label: 'VMM I/O and helper threads CPU', group: 'vmm'},
  {name: 'main_loop_s', unit: 's', label: 'VMM main loop CPU', group: 'vmm'},
  {name: 'vcpu_share', unit: 'fraction', label: 'vCPU threads share of VMM CPU', group: 'vmm'},
  {name: 'instructions', unit: 'instructions', label: 'instructions (perf)', group: 'perf'},
  {name: 'cycles', unit: 'cycles', label: 'cycles (perf)', group: 'perf'},
  {name: 'cache-misses', unit: 'misses', label: 'cache misses (perf)', group: 'perf'},
  {name: 'host_steal_s', unit: 's', label: 'host steal time', group: 'host'},
  {name: 'host_busy_s', unit: 's', label: 'host busy CPU', group: 'host'},
  {name: 'host_others_s', unit: 's', label: "other processes' CPU", group: 'host'},
  {name: 'run_queue', unit: 'tasks', label: 'host run queue (procs_running)', group: 'host'},
  {name: 'host_psi_cpu_some_ms', unit: 'ms', label: 'host CPU pressure stall (some)', group: 'host'},
  {name: 'host_psi_memory_some_ms', unit: 'ms', label: 'host memory pressure stall (some)', group: 'host'},
  {name: 'isobench_s', unit: 's', label: "isobench's own CPU", group: 'overhead'},
  {name: 'read_ms', unit: 'ms', label: 'counter reading cost (outside timed regions)', group: 'overhead'},
  {name: 'perf_overhead_s', unit: 's', label: 'perf stat CPU (beside the window)', group: 'overhead'},
  {name: 'window_s', unit: 's', label: 'counting window', group: 'overhead'},
]

/** Memory parts per instance (PSS, MiB): a VMM's from smaps, a process tree's by role. Name → label, in report order. */
const MEMORY_PART_LABELS = {
  mem_guest_ram: 'guest-touched RAM',
  mem_boot_files: 'kernel image and initramfs file pages',
  mem_tcg_cache: 'TCG translation cache',
  mem_vmm_binary: 'VMM binary',
  mem_heap_libs: 'VMM heap, libraries, stacks',
  mem_runtime: 'runtime / shim (outside the instance)',
  mem_init: 'init',
  mem_workload: 'workload',
}
export const MEMORY_PARTS: CounterInfo[] = Object.entries(MEMORY_PART_LABELS).map(([name, label]) => ({name, unit: 'MiB', label, group: 'memory'}))

const BY_NAME = new Map([...COUNTERS, ...MEMORY_PARTS].map((c) => [c.name, c]))

/** The declaration of a counter; an unknown name (a KVM exit reason, a future counter) gets a plain one. */
export function counterInfo(name: string): CounterInfo {
  return (
    BY_NAME.get(name) ??
    (name.startsWith('kvm_exit.') ? {name, unit: 'exits', label: `KVM exits: ${name.slice(9)}`, group: 'vmm'} : {name, unit: '', label: name, group: 'host'})
  )
}
