"""The task worker's share of the CPU under Linux's autogroup scheduling.

With autogroups on (/proc/sys/kernel/sched_autogroup_enabled, the default of most distributions), the
kernel first shares the CPU fairly between sessions, and only then between the processes of one
session by their nice values and classes (sched(7), "The autogroup feature"). A worker started in a
session of its own therefore takes as much CPU as the whole web server, however low its own priority:
measured in bench/queue_load_bench.py, where 40 PDFs cut a vote burst's rate to 0.53–0.62 of the burst
alone, and to 0.76–0.83 once soffice shared the worker's lowered session. Giving the session the
worker's nice puts the whole session, soffice included, below the web. Where the worker shares the web server's session (`make run`) or runs in a
cgroup of its own (systemd: `CPUWeight=idle`, docs/deployment.md), the kernel does not use the
autogroup and nothing needs doing.
"""

from __future__ import annotations

import os
from pathlib import Path

AUTOGROUP = Path("/proc/self/autogroup")
LOWEST = 19  # the nice of SCHED_IDLE's autogroup: the idle class has no weight of its own to give it


def lower_own_session(path: Path = AUTOGROUP) -> int | None:
    """When this process leads its session and runs below the default priority, give the session's
    autogroup that priority too, and return the nice written; None when there was nothing to do or the
    kernel has no autogroups. Raising a nice value needs no privilege (sched(7))."""
    if os.getsid(0) != os.getpid():
        return None  # a session that others lead: lowering it would lower them too
    idle = os.sched_getscheduler(0) == os.SCHED_IDLE
    niceness = LOWEST if idle else os.getpriority(os.PRIO_PROCESS, 0)
    if niceness <= 0:
        return None
    try:
        path.write_text(f"{niceness}\n")
    except OSError:
        return None  # no autogroups in this kernel
    return niceness
