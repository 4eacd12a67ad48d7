"""A worker process for tests/test_hostile_inputs.py: translates domains under a memory
limit and a CPU-time budget per domain, and answers one line per domain.

Protocol: the parent writes one base64-encoded domain XML per line; the worker replies
`ok CPU-SECONDS`, `refused CPU-SECONDS`, or `FAIL <reason>` (too slow, out of memory, internal error). It runs the
whole CLI path (translation, effect analysis, every rendering) so that each stage is held
to the bound. Limits come from the command line: address-space bytes, CPU seconds.
"""

from __future__ import annotations

import base64
import resource
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


class TooSlow(BaseException):  # not an Exception: translate() must not wrap it
    pass


def _alarm(signum: int, frame: object) -> None:
    raise TooSlow()


def main() -> int:
    mem, cpu = int(sys.argv[1]), float(sys.argv[2])
    import capsdb
    import translator

    caps = capsdb.get()
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    signal.signal(signal.SIGPROF, _alarm)
    for line in sys.stdin:
        xml = base64.b64decode(line)
        signal.setitimer(signal.ITIMER_PROF, cpu)
        started = time.process_time()
        try:
            reply = "ok"
            for profile in ("host", "native", "libvirt-test"):
                try:
                    inv = translator.translate(xml, caps, profile=profile)
                    for fmt in ("args", "shell", "json"):
                        inv.render(fmt)
                    [str(w) for w in inv.warnings]
                except translator.TranslationError:
                    reply = "refused"
        except TooSlow:
            reply = f"FAIL more than {cpu} s of CPU"
        except MemoryError:
            reply = f"FAIL more than {mem >> 20} MiB"
        except translator.InternalError as exc:
            reply = f"FAIL internal error: {' '.join(str(exc).split())}"
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        if not reply.startswith("FAIL"):
            reply += f" {time.process_time() - started:.3f}"
        print(reply, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
