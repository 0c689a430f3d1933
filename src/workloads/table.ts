/**
 * The workloads one run (or one listing) knows, by name: the built-in catalog, then plugin
 * workloads, then the files and inline documents its scenarios name. A name defined twice by
 * different sources is bad input naming both, never a silent override.
 */
import {InputFileError, UsageError} from '../core/errors.js'
import {catalog} from './catalog.js'
import type {WorkloadProfile} from './profile.js'

export class WorkloadTable {
  private readonly byName = new Map<string, WorkloadProfile>()

  /** The built-in catalog and these plugin workloads. */
  constructor(plugins: Iterable<WorkloadProfile> = []) {
    for (const p of catalog().values()) this.byName.set(p.name, p)
    for (const p of plugins) this.add(p)
  }

  /**
   * Add a workload. The same definition again (the same file named twice) is kept once; another
   * definition under a taken name is a UsageError naming both places. `where` positions the error.
   */
  add(profile: WorkloadProfile, where?: {file: string; field: string; position?: {line: number; col: number}}): WorkloadProfile {
    const have = this.byName.get(profile.name)
    if (have) {
      if (have.origin?.key !== undefined && have.origin.key === profile.origin?.key) return have
      const message = `workload name "${profile.name}" is already taken by ${have.origin?.label ?? 'another workload'}; give this one another name`
      if (where) throw new InputFileError(where.file, where.field, message, where.position)
      throw new UsageError(`${profile.origin?.label ?? profile.name}: ${message}`, 'duplicate-workload')
    }
    this.byName.set(profile.name, profile)
    return profile
  }

  get(name: string): WorkloadProfile | undefined {
    return this.byName.get(name)
  }

  has(name: string): boolean {
    return this.byName.has(name)
  }

  names(): string[] {
    return [...this.byName.keys()]
  }

  values(): WorkloadProfile[] {
    return [...this.byName.values()]
  }
}
