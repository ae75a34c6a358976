"""What every `make bench` script shares: one timed run of a command in a
fresh process, its wall time and peak resident memory."""
import json
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


def best_interleaved(ours, theirs, rounds=3, each=3):
    """The best wall time and the largest peak RSS of `ours` and of `theirs`,
    both sampled across the same minutes: `rounds` runs of `theirs`, each
    followed by `each` runs of `ours` (a fraction of a second apiece).
    Timed in one burst of its own, a command that takes 0.2 s is at the
    mercy of whatever else the machine does in that second, while one that
    takes 10 s averages it out; sampled side by side, the best run of each
    is the one least disturbed, as `timeit` takes it."""
    o, t = [], []
    for _ in range(rounds):
        t.append(run(theirs))
        o.extend(run(ours) for _ in range(each))
    return (min(w for w, _ in o), max(m for _, m in o)), (min(w for w, _ in t), max(m for _, m in t))


# Each ratio a bench prints is recorded in bench-out/bench-results.json and
# printed beside the one committed in scripts/bench-results.json, so a
# regression shows the day it happens. After a change that moves a figure on
# purpose (and the README's Speed section with it), commit the new file:
#   cp bench-out/bench-results.json scripts/bench-results.json
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
COMMITTED = os.path.join(ROOT, "scripts", "bench-results.json")
CURRENT = os.path.join(ROOT, "bench-out", "bench-results.json")


def _load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def compared(key, value, unit="×", digits=1):
    """`value` as text with the last committed value of `key` beside it
    (`44.3× (committed 44.3×)`); records it in this run's results."""
    current = _load(CURRENT)
    current[key] = round(value, 4)
    os.makedirs(os.path.dirname(CURRENT), exist_ok=True)
    with open(CURRENT, "w") as f:
        json.dump(dict(sorted(current.items())), f, indent=2)
        f.write("\n")
    text = f"{value:.{digits}f}{unit}"
    last = _load(COMMITTED).get(key)
    return text + (f" (committed {last:.{digits}f}{unit})" if last is not None else " (none committed)")
