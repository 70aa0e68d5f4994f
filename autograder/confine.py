"""Kernel-level confinement applied inside the sandbox (imported there: stdlib + ctypes only).

* :func:`fresh_ipc_world` (the manager, once per submission): a new IPC namespace (SysV
  shared memory, message queues, semaphores and POSIX message queues of earlier submissions
  are invisible, and this submission's die with it) and a new anonymous session keyring,
  then every capability dropped, so that nothing the submission runs holds one.
* :func:`syscall_filter` / :func:`enter_filter` (a child, before any student code): a seccomp
  filter built with libseccomp (through ctypes) that refuses with ``EPERM`` what an exercise
  never needs: new processes (``fork``/``vfork``/``clone`` without ``CLONE_THREAD``; threads
  stay allowed), ``ptrace``, ``process_vm_*``, mounts, namespaces, ``bpf``, ``perf_event_open``,
  keyrings, ``io_uring_*``, ``userfaultfd``, SysV/POSIX IPC, ``memfd_create``, sockets other
  than ``AF_UNIX``, kexec and module loading, clocks, reboot, swap, quotas, handles.
  ``clone3`` gets ``ENOSYS`` (its flags sit in memory a filter cannot read; the C library then
  falls back to ``clone``, whose flags the filter checks).

Each function returns a short status ("active: ..." or "UNAVAILABLE (why)") for the report.
"""

from __future__ import annotations

import ctypes
import errno
import os

CLONE_NEWIPC = 0x08000000
CLONE_THREAD = 0x00010000
AF_UNIX = 1
_KEYCTL_JOIN_SESSION_KEYRING = 1
_PR_CAPBSET_DROP = 24
_CAP_SYS_ADMIN = 21
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_PR_SET_NO_NEW_PRIVS = 38
_SYS_CAPSET = {"x86_64": 126, "aarch64": 91}
_SYS_KEYCTL = {"x86_64": 250, "aarch64": 219}

#: Refused with EPERM in every child (names unknown to this kernel/libseccomp are skipped).
DENIED = (
    # other processes and their memory
    "fork", "vfork", "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
    "kcmp", "pidfd_open", "pidfd_send_signal",
    # mounts, namespaces, roots
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "open_tree", "move_mount",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    # kernel attack surface an exercise never needs
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "keyctl", "add_key", "request_key", "kexec_load", "kexec_file_load",
    "init_module", "finit_module", "delete_module", "open_by_handle_at", "name_to_handle_at",
    "fanotify_init", "lookup_dcookie", "quotactl", "swapon", "swapoff", "reboot", "syslog",
    "acct", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "vhangup",
    "personality", "uselib", "iopl", "ioperm",
    # inter-process communication that could outlive a process or cross submissions
    "shmget", "shmat", "shmctl", "shmdt", "msgget", "msgsnd", "msgrcv", "msgctl",
    "semget", "semop", "semtimedop", "semctl", "mq_open", "mq_unlink", "mq_timedsend",
    "mq_timedreceive", "mq_notify", "mq_getsetattr", "memfd_create", "memfd_secret",
)  # fmt: skip
#: Refused with ENOSYS (the C library falls back to a call the filter can inspect).
UNSUPPORTED = ("clone3",)

_SCMP_ACT_ALLOW = 0x7FFF0000
_SCMP_CMP_NE = 1
_SCMP_FLTATR_ACT_BADARCH = 2
_SCMP_CMP_MASKED_EQ = 7


def _errno_action(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)


class _ArgCmp(ctypes.Structure):
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


def _libseccomp():
    lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    ]
    lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    return lib


class SyscallFilter:
    """A libseccomp filter context, built once in the worker and loaded in each child."""

    def __init__(self):
        self.lib = _libseccomp()
        self.ctx = self.lib.seccomp_init(_SCMP_ACT_ALLOW)
        if not self.ctx:
            raise OSError("seccomp_init failed")
        self.denied: list[str] = []
        # another ABI's calls (x32, i386 on x86_64) are refused, not fatal
        self.lib.seccomp_attr_set(self.ctx, _SCMP_FLTATR_ACT_BADARCH, _errno_action(errno.ENOSYS))
        eperm = _errno_action(errno.EPERM)
        for name in DENIED:
            self._rule(eperm, name)
        for name in UNSUPPORTED:
            self._rule(_errno_action(errno.ENOSYS), name)
        # clone without CLONE_THREAD is a new process; a thread is fine
        self._rule(eperm, "clone", _ArgCmp(0, _SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0))
        # sockets: only AF_UNIX (pairs between threads, nothing leaves the sandbox)
        self._rule(eperm, "socket", _ArgCmp(0, _SCMP_CMP_NE, AF_UNIX, 0))

    def _rule(self, action: int, name: str, *conditions: _ArgCmp) -> None:
        nr = self.lib.seccomp_syscall_resolve_name(name.encode())
        if nr < 0:  # not a syscall of this architecture (e.g. fork on aarch64)
            return
        array = (_ArgCmp * max(1, len(conditions)))(*conditions)
        rc = self.lib.seccomp_rule_add_array(self.ctx, action, nr, len(conditions), array)
        if rc != 0:
            raise OSError(-rc, f"seccomp rule for {name}: {os.strerror(-rc)}")
        self.denied.append(name)

    def load(self) -> None:
        """Confine the calling process (and every thread it starts) for good."""
        rc = self.lib.seccomp_load(self.ctx)
        if rc != 0:
            raise OSError(-rc, f"seccomp_load: {os.strerror(-rc)}")


def syscall_filter() -> tuple[SyscallFilter | None, str]:
    try:
        f = SyscallFilter()
    except (OSError, AttributeError) as exc:
        return None, f"UNAVAILABLE ({exc})"
    return f, f"active: seccomp refuses {len(f.denied)} system calls (EPERM), new processes too"


def fresh_ipc_world(*, keep_capabilities: bool = False) -> str:
    """A new IPC namespace and session keyring for this process, then (unless it still has
    to change uid for its children) no capabilities."""
    libc = ctypes.CDLL(None, use_errno=True)
    arch = os.uname().machine
    status = []
    if libc.unshare(CLONE_NEWIPC) == 0:
        status.append("IPC namespace")
    if (
        arch in _SYS_KEYCTL
        and libc.syscall(_SYS_KEYCTL[arch], _KEYCTL_JOIN_SESSION_KEYRING, None) >= 0
    ):
        status.append("session keyring")
    if keep_capabilities is False:
        drop_capabilities()
    if "IPC namespace" not in status:
        return "UNAVAILABLE (no CAP_SYS_ADMIN in the sandbox's user namespace)"
    return f"active: a new {' and '.join(status)} per submission"


def ipc_status() -> str:
    """What :func:`fresh_ipc_world` will achieve in a manager forked from this process."""
    if capabilities() & (1 << _CAP_SYS_ADMIN):
        return "active: a new IPC namespace and session keyring per submission"
    return "UNAVAILABLE (no CAP_SYS_ADMIN in the sandbox's user namespace)"


def drop_capabilities() -> None:
    """Empty the effective, permitted, inheritable, ambient and bounding sets; no new
    privileges through exec either."""
    libc = ctypes.CDLL(None, use_errno=True)
    arch = os.uname().machine
    for cap in range(64):
        libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0)
    libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    if arch in _SYS_CAPSET:
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, self
        data = (ctypes.c_uint32 * 6)()  # two empty {effective, permitted, inheritable}
        libc.syscall(_SYS_CAPSET[arch], header, data)
    libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def capabilities() -> int:
    """The effective capability mask of this process (0 when it holds none)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    return 0
