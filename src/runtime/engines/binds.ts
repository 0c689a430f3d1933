/**
 * Host files bound read-only into an engine's container (the injected init), as each CLI's flag:
 * docker and podman `--mount type=bind,source=S,target=T,readonly` (Docker's --mount syntax, which
 * podman 4 takes too), ctr `--mount type=bind,src=S,dst=T,options=rbind:ro` (`ctr run --help`,
 * containerd 1.6). Both are comma-separated key=value lists, so a path holding a comma, or one that
 * is not absolute, is refused rather than split. Pure: unit-tested.
 */
import {ArmError} from '../../core/errors.js'
import type {EngineCli} from './limits.js'

export interface EngineBind {
  source: string
  target: string
}

/** The run flags binding these host files read-only into the container. Errors: ArmError naming the path. */
export function engineBindFlags(engine: EngineCli, binds: ReadonlyArray<EngineBind>): string[] {
  const flags: string[] = []
  for (const {source, target} of binds) {
    for (const p of [source, target])
      if (!p.startsWith('/') || /[,\n\0]/.test(p))
        throw new ArmError(`${engine}: cannot bind ${JSON.stringify(p)}: a bind path must be absolute and hold no comma`, 'unavailable')
    flags.push('--mount', engine === 'ctr' ? `type=bind,src=${source},dst=${target},options=rbind:ro` : `type=bind,source=${source},target=${target},readonly`)
  }
  return flags
}
