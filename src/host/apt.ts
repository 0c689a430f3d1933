/** Debian packages on this host: which are missing (by dpkg's record), and installing them with apt. The list isobench needs is host/doctor/packages.ts. */
import {execa} from 'execa'

export interface HostPackage {
  pkg: string
  why: string
  /** A file whose presence means the package's tool is there. */
  provides: string
}

/** Packages whose marker file is missing, by dpkg's own record (a file check alone can be fooled). */
export async function missingPackages(pkgs: readonly HostPackage[]): Promise<HostPackage[]> {
  const r = await execa('dpkg-query', ['-W', '-f', '${Package} ${db:Status-Status}\n', ...pkgs.map((p) => p.pkg)], {reject: false})
  const installed = new Set(
    r.stdout
      .split('\n')
      .filter((l) => l.endsWith(' installed'))
      .map((l) => l.split(' ')[0]),
  )
  return pkgs.filter((p) => !installed.has(p.pkg))
}

export function aptCommand(pkgs: string[]): string {
  return `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${pkgs.join(' ')}`
}

/** apt-get update (once) and install; output streams to the user's terminal (stderr). */
export async function aptInstall(pkgs: string[]): Promise<void> {
  const env = {DEBIAN_FRONTEND: 'noninteractive'}
  await execa('apt-get', ['update', '-qq'], {stdout: 'inherit', stderr: 'inherit', env})
  await execa('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {stdout: ['inherit'], stderr: 'inherit', env})
}
