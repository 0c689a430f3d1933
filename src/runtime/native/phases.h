/*
 * The phases of a container's start that a runtime reports as readiness markers ("ISOBENCH <phase>"
 * lines on the container's stdout, the channel the init's own markers use), in the order they happen.
 * The same names are RUNTIME_PHASES in src/core/markers.ts (test/unit/runtime/phases.test.ts keeps the
 * two equal); isobench-runtime reports them when config.json's annotation org.isobench.phases is
 * "stdout" (create.c), and any other runtime isobench drives reports these and only these.
 *
 *   namespaces   the init exists in its new pid, mount, uts and ipc namespaces (first thing after clone)
 *   rootfs       the root filesystem is mounted: overlay, /proc, /dev, /sys, binds, masked paths
 *   pivot_root   the rootfs is the init's root (pivot_root done, the host's tree detached)
 *   exec         right before execve of the workload (seccomp installed, capabilities dropped)
 */
#ifndef ISOBENCH_PHASES_H
#define ISOBENCH_PHASES_H

#define PHASE_MARKER_PREFIX "ISOBENCH "
#define PHASE_NAMESPACES "namespaces"
#define PHASE_ROOTFS "rootfs"
#define PHASE_PIVOT_ROOT "pivot_root"
#define PHASE_EXEC "exec"

#endif
