/**
 * Storage: fio on a file in the instance's own rootfs (/var/tmp) — the layered rootfs for the
 * container arms (overlay upper on the host's filesystem), a virtio block device for the VM (the
 * rootfs is booted from an ext4 disk, host cache off, for this workload), the host's /var/tmp for
 * the process arm. Direct I/O, 4 KiB random reads then random writes, one job each, 3 s each.
 * Felter et al. (2015) found containers near native here only on volumes, not on the layered
 * rootfs, and KVM far behind; this measures the layered rootfs (volumes: a later scenario).
 */
import type {WorkloadProfile, WorkloadSource} from '../profile.js'
import {fioJob, parseFio} from '../parsers/fio.js'

export const FIO = '/usr/bin/fio'

const storageProfiles: WorkloadProfile[] = [
  {
    name: 'disk',
    version: 1,
    description: 'fio 4 KiB random read then random write, direct I/O, psync, 32 MiB file in the instance rootfs (/var/tmp), 3 s each: IOPS and p99 latency',
    argv: [
      FIO,
      '--output-format=json',
      '--filename=/var/tmp/isobench-fio.dat',
      '--size=32M',
      '--bs=4k',
      '--direct=1',
      '--ioengine=psync',
      '--runtime=3',
      '--time_based',
      '--name=randread',
      '--rw=randread',
      '--name=randwrite',
      '--rw=randwrite',
      '--stonewall',
      '--unlink=1',
    ],
    ready: {kind: 'marker'},
    figures: [
      {name: 'randread_iops', unit: 'IOPS', direction: 'higher', description: '4 KiB random reads per second (direct I/O, queue depth 1)'},
      {name: 'randwrite_iops', unit: 'IOPS', direction: 'higher', description: '4 KiB random writes per second (direct I/O, queue depth 1)'},
      {name: 'randread_p99_ms', unit: 'ms', direction: 'lower', description: '99th-percentile completion latency of the random reads'},
    ],
    parse: (out) => {
      const jobs = parseFio(out)
      const [read, write] = [fioJob(jobs, 'randread'), fioJob(jobs, 'randwrite')]
      return {randread_iops: read.iops, randwrite_iops: write.iops, randread_p99_ms: read.clatP99Ms}
    },
    needs: [{tool: FIO, aptPackage: 'fio'}],
    image: 'fio',
    rootfs: 'block',
  },
]

export const storageSource: WorkloadSource = {
  name: 'storage',
  description: 'fio on the instance rootfs',
  profiles: storageProfiles,
  // fio's library closure is large (~64 libraries, ~80 MB: it links ceph, glusterfs and more); the
  // image is built once per host and cached like the others.
  recipes: [{name: 'fio', binaries: [FIO], busyboxApplets: 'all', cmd: [FIO, '--version']}],
}
