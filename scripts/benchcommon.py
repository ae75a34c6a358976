"""What every `make bench` script shares: one timed run of a command in a
fresh process, its wall time and peak resident memory."""
import os
import subprocess
import sys
import time


def run_with_stderr(cmd, env=None):
    """Runs `cmd`, exits with its stderr if it fails; returns wall seconds,
    peak RSS in MiB (ru_maxrss is KiB on Linux) and its stderr."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{stderr}")
    return wall, usage.ru_maxrss / 1024.0, stderr


def run(cmd, env=None):
    """Wall seconds and peak RSS in MiB of `cmd` (see run_with_stderr)."""
    wall, memory, _ = run_with_stderr(cmd, env)
    return wall, memory
