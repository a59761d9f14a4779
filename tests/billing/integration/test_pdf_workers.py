"""The PDF render pool never outlives the billing process, even one killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

PARENT = textwrap.dedent(
    """
    import os, time
    from avtal_billing.adapters.pdf import WeasyPrintRenderer

    if __name__ == "__main__":
        renderer = WeasyPrintRenderer(1)
        print(renderer._pool.submit(os.getpid).result(), flush=True)
        time.sleep(120)
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is dead, merely not yet reaped
        return f.read().split()[2] != "Z"


def test_render_workers_die_with_a_killed_billing_process(tmp_path: object) -> None:
    script = f"{tmp_path}/parent.py"
    with open(script, "w") as f:
        f.write(PARENT)
    parent = subprocess.Popen([sys.executable, script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    assert _alive(worker)

    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)

    assert not _alive(worker), f"render worker {worker} outlived its SIGKILLed parent"
