/*
 * seccomp-oci.h: a container's seccomp filter from the OCI `linux.seccomp` object (runtime-spec
 * config-linux.md#seccomp: defaultAction, defaultErrnoRet, architectures, flags, syscalls[] of
 * {names, action, errnoRet, args[] of {index, value, valueTwo, op}}), compiled to classic BPF with
 * libseccomp (Debian libseccomp-dev), the library runc and crun use, and parsed with libjansson
 * (Debian libjansson-dev). Rules are read as runc reads them (libcontainer/seccomp/seccomp_linux.go):
 * a syscall name this libseccomp does not know is skipped; a rule whose action equals the default
 * is skipped; an ERRNO or TRACE action without errnoRet returns EPERM; the args of one rule are
 * ANDed unless two of them test the same argument, when each becomes a rule of its own.
 *
 * Compiling ≈ 350 rules takes a few milliseconds, so a runtime compiles once per profile and keeps
 * the program (oci_seccomp_write_bpf / oci_seccomp_read_bpf: the raw struct sock_filter array, the format
 * of libseccomp's seccomp_export_bpf), then only installs it at each container start.
 */
#ifndef ISOBENCH_SECCOMP_OCI_H
#define ISOBENCH_SECCOMP_OCI_H

#include <jansson.h>
#include <linux/filter.h>
#include <stddef.h>

/*
 * Compile the linux.seccomp object into prog (prog->filter is malloc'd: oci_seccomp_free) and
 * *flags (SECCOMP_FILTER_FLAG_* bits from its "flags"; TSYNC is dropped, as runc does). Unknown
 * actions, operators, architectures or flags, and SCMP_ACT_NOTIFY (no listener here), are errors.
 * 0, or -1 with a message in err.
 */
int oci_seccomp_compile(json_t *seccomp, struct sock_fprog *prog, unsigned *flags, char *err, size_t errlen);

/* The same from a file holding the linux.seccomp object (or a whole config.json: its linux.seccomp). */
int oci_seccomp_compile_file(const char *path, struct sock_fprog *prog, unsigned *flags, char *err, size_t errlen);

/* Read / write a compiled program as the raw struct sock_filter array. 0, or -1 with errno and err. */
int oci_seccomp_read_bpf(const char *path, struct sock_fprog *prog, char *err, size_t errlen);
int oci_seccomp_write_bpf(const char *path, const struct sock_fprog *prog, char *err, size_t errlen);

/*
 * Install prog on the calling thread: seccomp(SECCOMP_SET_MODE_FILTER, flags, prog). Without
 * no_new_privs set the caller needs CAP_SYS_ADMIN, so a runtime installs it before it drops its
 * capabilities (runc does the same when noNewPrivileges is false); the filter must then allow
 * what the runtime still does before execve (capset, prctl, setresuid, execve: Docker's does).
 * 0, or -1 with errno.
 */
int oci_seccomp_install(const struct sock_fprog *prog, unsigned flags);

void oci_seccomp_free(struct sock_fprog *prog);

#endif
