/**
 * Host provenance for results.json: CPU, OS and memory from systeminformation; virtualization from
 * the kernel (./virt.ts: systeminformation's keys on /.dockerenv and called a KVM guest a Docker
 * container). Collected once, in parallel, outside timed regions (cpu() ≈ 40 ms, osInfo() ≈ 50 ms
 * here; we skip the slow calls).
 */
import si from 'systeminformation'
import type {HostRecord} from '../core/results.js'
import {cgroupMode} from './cgroups.js'
import {virtFacts, virtSummary} from './virt.js'

export async function hostFacts(): Promise<HostRecord> {
  const [cpu, flags, os, mem, virt] = await Promise.all([si.cpu(), si.cpuFlags(), si.osInfo(), si.mem(), virtFacts()])
  return {
    hostname: os.hostname,
    os: `${os.distro} ${os.release}`.trim(),
    kernel: os.kernel,
    cpu: {
      model: `${cpu.manufacturer} ${cpu.brand}`.trim(),
      cores: cpu.cores,
      physicalCores: cpu.physicalCores,
      mhz: cpu.speed ? Math.round(cpu.speed * 1000) : undefined,
      flags,
    },
    memoryBytes: mem.total,
    virtualization: virtSummary(virt),
    virt,
    cgroupMode: cgroupMode(),
    node: process.version,
  }
}
