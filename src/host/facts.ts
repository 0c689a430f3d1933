/**
 * Host provenance for results.json, from systeminformation. Collected once, in parallel, outside
 * timed regions (cpu() ≈ 40 ms, osInfo() ≈ 50 ms here; we skip the slow calls).
 */
import si from 'systeminformation'
import type {HostRecord} from '../core/results.js'
import {cgroupMode} from './cgroups.js'

export async function hostFacts(): Promise<HostRecord> {
  const [cpu, flags, os, mem, system] = await Promise.all([si.cpu(), si.cpuFlags(), si.osInfo(), si.mem(), si.system()])
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
    virtualization: system.virtual ? system.model || 'virtual' : undefined,
    cgroupMode: cgroupMode(),
    node: process.version,
  }
}
