/** The Debian packages isobench needs on the host (`isobench setup` installs them), each with why and the file that says it is there. */
import {OCI_RUNTIMES} from '../../runtime/oci/runtimes.js'
import type {HostPackage} from '../apt.js'

export const HOST_PACKAGES: readonly HostPackage[] = [
  {pkg: 'busybox-static', why: 'the init and tools inside every instance', provides: '/bin/busybox'},
  {pkg: 'qemu-system-x86', why: 'the VM arm', provides: '/usr/bin/qemu-system-x86_64'},
  {pkg: 'qemu-utils', why: 'disk images for the VM arm', provides: '/usr/bin/qemu-img'},
  {pkg: 'gcc', why: "compiling the container runtime's C helper (isobench-nsexec)", provides: '/usr/bin/gcc'},
  {pkg: 'libc6-dev', why: "headers for the container runtime's C helper", provides: '/usr/include/sched.h'},
  {
    pkg: 'libseccomp-dev',
    why: "seccomp filters in the container runtime's C helper (static libseccomp.a, as runc and crun use)",
    provides: '/usr/include/seccomp.h',
  },
  {pkg: 'libjansson-dev', why: "reading OCI seccomp JSON in the container runtime's C helper (static libjansson.a)", provides: '/usr/include/jansson.h'},
  {
    pkg: 'golang-github-containers-common',
    why: "Podman's seccomp profile, from which Docker's default is built (src/runtime/seccomp/seccomp-default.ts)",
    provides: '/usr/share/containers/seccomp.json',
  },
  // The OCI runtimes' packages come from their table.
  ...OCI_RUNTIMES.flatMap((r) => (r.apt ? [{pkg: r.apt.pkg, why: `the ${r.name} arm`, provides: r.apt.provides}] : [])),
  {
    pkg: 'golang-go',
    why: 'building the OCI runtime-tools validation suite (../shared/oci-validation) the conformance test runs against isobench-runtime and runc',
    provides: '/usr/bin/go',
  },
  {pkg: 'podman', why: 'the podman arm, and a real client of isobench-runtime (podman --runtime) in the integration tests', provides: '/usr/bin/podman'},
  {pkg: 'conmon', why: "podman's container monitor (the podman arm reports its PSS apart)", provides: '/usr/bin/conmon'},
  {
    pkg: 'containerd',
    why: "the ctr arm (a private containerd), dockerd's containerd, and a real client of isobench-runtime (ctr run --runc-binary) in the integration tests",
    provides: '/usr/bin/containerd',
  },
  {
    pkg: 'docker.io',
    why: 'the docker arm (a private dockerd per run), and a real client of isobench-runtime (dockerd --add-runtime) in the integration tests',
    provides: '/usr/sbin/dockerd',
  },
  {pkg: 'lxc', why: 'the lxc arm (lxc-start -F; setup disables its lxc-net bridge service)', provides: '/usr/bin/lxc-start'},
  {pkg: 'coreutils', why: 'chroot(8), the chroot arm', provides: '/usr/sbin/chroot'},
  {pkg: 'stress-ng', why: 'cpu/memory workloads and aggressors', provides: '/usr/bin/stress-ng'},
  {pkg: 'fio', why: 'the disk workload', provides: '/usr/bin/fio'},
  {pkg: 'wrk', why: 'HTTP load from the host', provides: '/usr/bin/wrk'},
  {pkg: 'redis-server', why: 'the redis workload (its binary goes into the redis image)', provides: '/usr/bin/redis-server'},
  {pkg: 'redis-tools', why: 'redis-benchmark, the redis load from the host', provides: '/usr/bin/redis-benchmark'},
  {pkg: 'e2fsprogs', why: 'ext4 disks for the VM arm (mkfs.ext4 -d)', provides: '/usr/sbin/mkfs.ext4'},
  {pkg: 'cpio', why: 'initramfs for the VM arm', provides: '/usr/bin/cpio'},
  {pkg: 'iproute2', why: 'bridges, veths and taps', provides: '/usr/sbin/ip'},
  {pkg: 'util-linux', why: 'unshare/nsenter, and taskset to pin a VM to a cpuset', provides: '/usr/bin/unshare'},
  {pkg: 'zstd', why: 'zstd layers and initramfs', provides: '/usr/bin/zstd'},
  {pkg: 'lz4', why: 'unpacking the guest kernel to an uncompressed vmlinux that microvm boots directly', provides: '/usr/bin/lz4'},
  {pkg: 'chromium', why: 'report tests in headless Chromium', provides: '/usr/bin/chromium'},
  {pkg: 'skopeo', why: 'image pull/push/login (the registry transport) and import/export round-trip tests', provides: '/usr/bin/skopeo'},
  {pkg: 'buildah', why: 'the reference builder the Containerfile parity corpus compares image build with', provides: '/usr/bin/buildah'},
  {pkg: 'docker-registry', why: 'a local registry (127.0.0.1) for the registry tests; setup disables its system service', provides: '/usr/bin/docker-registry'},
  {pkg: 'apache2-utils', why: "htpasswd (bcrypt) for the test registry's basic auth", provides: '/usr/bin/htpasswd'},
  {pkg: 'bzip2', why: 'ADD of .tar.bz2 archives in image build', provides: '/bin/bzip2'},
  {pkg: 'xz-utils', why: 'ADD of .tar.xz archives in image build', provides: '/usr/bin/xz'},
  {
    pkg: 'debootstrap',
    why: 'FROM debian:<suite> in image build (a minbase bootstrap from the Debian mirror), as the bring-your-own-workload tests use',
    provides: '/usr/sbin/debootstrap',
  },
  {
    pkg: 'hyperfine',
    why: 'the independent timer the validity tests check startup figures against (test/integration/validity/)',
    provides: '/usr/bin/hyperfine',
  },
  {pkg: 'attr', why: 'getfattr: reading overlayfs opaque-dir markers when a build RUN step becomes a layer', provides: '/usr/bin/getfattr'},
]
