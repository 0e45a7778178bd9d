"""Run a command and report its peak resident memory (ru_maxrss of that process alone).

Linux carries a parent's peak RSS into a forked child, so a benchmark that holds
data would inflate its children's figures. This launcher is a small process of
its own: it forks the command and prints `__PEAK_RSS_KB__=N` on stderr.
"""

import os
import sys

pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stderr.write(f"\n__PEAK_RSS_KB__={usage.ru_maxrss}\n")
sys.exit(os.waitstatus_to_exitcode(status))
