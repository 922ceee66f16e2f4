"""`paperbot run` stops on a signal the OS delivered to one of its other threads."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import signal, threading
    from app.cli.worker import wait_for_signal

    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    def hit_this_thread():  # as when the kernel picks a delivery thread for a process signal
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)

    threading.Timer(0.2, hit_this_thread).start()
    wait_for_signal(stop, step=0.05)
    print("stopped")
    """
)


def test_a_signal_caught_by_another_thread_still_stops_the_main_wait() -> None:
    # with an untimed Event.wait() the main thread never runs the handler and this times out
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "stopped"
