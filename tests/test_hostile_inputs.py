"""Hostile inputs: tiny documents with huge numbers, huge documents, control characters.

Every answer must come within 1 s of CPU and 200 MiB of address space, as a translation or
a refusal, never a traceback. The limits are real resource limits on a child process
(RLIMIT_AS, CPU time measured by the kernel), not timed micro-benchmarks, so the test
does not depend on how loaded the machine is.
"""

from __future__ import annotations

import base64
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import etree

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "examples").glob("*.xml"))
MEMORY = 200 * 1024 * 1024
CPU_SECONDS = 1.0
QEMU_URI = "http://libvirt.org/schemas/domain/qemu/1.0"


def domain(*, vcpu: str = "<vcpu>1</vcpu>", top: str = "", cpu: str = "", devices: str = "",
           ns: str = "", memory_backing: str = "") -> str:
    return (f"<domain type='kvm' xmlns:qemu='{QEMU_URI}'><name>h</name>"
            f"<memory unit='MiB'>1024</memory>{memory_backing}{vcpu}{top}"
            "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
            f"{cpu}<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>{devices}"
            f"</devices>{ns}</domain>")


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    # a runaway child is killed (SIGXCPU) well after the budget the test checks
    resource.setrlimit(resource.RLIMIT_CPU, (10, 10))


_PYCACHE: list[tempfile.TemporaryDirectory[str]] = []


def _child_env() -> dict[str, str]:
    """The children read compiled bytecode, as an installed xml2argv does (pip compiles it
    at install time): a checkout run with PYTHONDONTWRITEBYTECODE would otherwise compile
    every module of the package on each call, a fixed cost no input causes that took a
    third of the budget. The private cache is filled once, before any child is timed."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    if not _PYCACHE:
        _PYCACHE.append(tempfile.TemporaryDirectory(prefix="xml2argv-pyc-"))
        env["PYTHONPYCACHEPREFIX"] = _PYCACHE[0].name
        subprocess.run([sys.executable, "-m", "compileall", "-q", "translator", "capsdb"],
                       cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-m", "translator", str(EXAMPLES[0])], cwd=REPO,
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env["PYTHONPYCACHEPREFIX"] = _PYCACHE[0].name
    return env


def run_limited(*args: str, stdin: bytes | None = None) -> tuple[int, str, float]:
    """`python -m translator ARGS` under the limits: (exit status, stderr, CPU seconds the
    child used, as the kernel counted it)."""
    env = _child_env()
    before = _children_cpu()
    res = subprocess.run([sys.executable, "-m", "translator", *args], cwd=REPO, input=stdin,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=_limit,
                         timeout=120, env=env)
    return res.returncode, res.stderr.decode(errors="replace"), _children_cpu() - before


def _children_cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def answers_in_bounds(path: Path, *extra: str) -> tuple[int, str]:
    code, err, cpu = run_limited("--no-warnings", *extra, str(path))
    assert code in (0, 1), err
    assert "Traceback" not in err and "a bug in xml2argv" not in err, err
    assert cpu < CPU_SECONDS, f"{cpu:.2f} s of CPU"
    return code, err


SETS = "".join(f"<qemu:arg value='-set'/><qemu:arg value='device.d{i}.x=1'/>"
               for i in range(16000))
REPRODUCERS = {
    "vcpu-cpuset": (domain(vcpu="<vcpu cpuset='0-4294967295'>2</vcpu>"),
                    "Failed to parse bitmap '0-4294967295'"),
    "numa-cell-cpus": (domain(vcpu="<vcpu>2</vcpu>", cpu=(
        "<cpu><numa><cell id='0' cpus='0-4294967295' memory='1048576' unit='KiB'/>"
        "</numa></cpu>")), "Failed to parse bitmap '0-4294967295'"),
    "iothreads": (domain(top="<iothreads>4294967295</iothreads>"),
                  "internal error: failed to populate iothreadids"),
    "iothreads-huge": (domain(top="<iothreads>2147483648</iothreads>"),
                       "Argument list too long"),
    "net-queues": (domain(devices=(
        "<interface type='ethernet'><model type='virtio'/><driver queues='4294967295'/>"
        "</interface>")), "Argument list too long"),
    "vhost-user-queues": (domain(
        memory_backing="<memoryBacking><access mode='shared'/></memoryBacking>",
        devices=("<interface type='vhostuser'><source type='unix' path='/tmp/s' "
                 "mode='client'/><model type='virtio'/><driver queues='2147483648'/>"
                 "</interface>")), None),
    "scsi-hostdev-controller": (domain(devices=(
        "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host0'/>"
        "<address bus='0' target='0' unit='0'/></source>"
        "<address type='drive' controller='25543' bus='0' target='0' unit='0'/></hostdev>")),
        None),
    "scsi-disk-controller": (domain(devices=(
        "<disk type='file' device='disk'><source file='/a'/><target dev='sda' bus='scsi'/>"
        "<address type='drive' controller='2000000000' bus='0' target='0' unit='0'/></disk>")),
        "Argument list too long"),
    "set-pairs": (domain(ns=f"<qemu:commandline>{SETS}</qemu:commandline>"), None),
}


@pytest.mark.parametrize("name", sorted(REPRODUCERS))
def test_reproducer_answers_within_bounds(name: str, tmp_path: Path) -> None:
    xml, message = REPRODUCERS[name]
    path = tmp_path / f"{name}.xml"
    path.write_text(xml)
    for profile in ("host", "native"):  # the fuzz worker adds libvirt-test
        code, err = answers_in_bounds(path, "--profile", profile)
        if message is not None:
            assert code == 1 and message in err, err


def test_endless_input_is_refused_after_the_limit() -> None:
    code, err, cpu = run_limited("/dev/zero")
    assert cpu < CPU_SECONDS
    assert code == 1 and err == "error: XML document is larger than 16777216 bytes\n"


def test_endless_standard_input_is_refused_after_the_limit() -> None:
    code, err, _ = run_limited("-", stdin=b" " * (16 * 1024 * 1024 + 10))
    assert code == 1 and "larger than 16777216 bytes" in err


def test_control_characters_are_escaped_in_diagnostics(tmp_path: Path) -> None:
    path = tmp_path / "ctl.xml"
    path.write_text(domain(vcpu="<vcpu cpuset='1&#13;&#10;error: forged\u202e'>1</vcpu>"))
    code, err, _ = run_limited(str(path))
    assert code == 1
    assert err.count("\n") == 1 and "\r" not in err and "\u202e" not in err
    assert "\\r\\nerror: forged\\u202e" in err


def test_control_characters_are_escaped_in_warnings(tmp_path: Path) -> None:
    path = tmp_path / "ctl.xml"
    path.write_text(domain(ns="<qemu:commandline><qemu:arg value='-no-such&#10;warning: "
                              "forged'/></qemu:commandline>"))
    code, err, _ = run_limited(str(path))
    assert code == 0
    assert all(line.startswith("warning: ") for line in err.splitlines())
    assert "-no-such\\nwarning: forged" in err


# --- mutation fuzzing under the same bounds ---------------------------------------------------

# numbers at the edges of C's integer types, and large ones that are still valid
HUGE = ["2147483647", "2147483648", "4294967295", "4294967296", "18446744073709551615",
        "1000000", "65535", "16384", "0-4294967295", "0-16383", "0-2147483647"]
# where a count or size in the input multiplies work: (xpath of the parent, element to add)
COUNT_SITES = [
    ("/domain", "<iothreads>{n}</iothreads>"),
    ("/domain", "<vcpu cpuset='{n}'>2</vcpu>"),
    ("/domain", "<cpu><numa><cell id='0' cpus='{n}' memory='1048576' unit='KiB'/></numa></cpu>"),
    ("/domain/devices", "<interface type='ethernet'><model type='virtio'/>"
                        "<driver queues='{n}'/></interface>"),
    ("/domain/devices", "<interface type='user'><model type='virtio'/>"
                        "<driver queues='{n}'/></interface>"),
    ("/domain/devices", "<controller type='scsi' index='{n}' model='virtio-scsi'/>"),
    ("/domain/devices", "<hostdev mode='subsystem' type='scsi'><source>"
                        "<adapter name='scsi_host0'/><address bus='0' target='0' unit='0'/>"
                        "</source><address type='drive' controller='{n}' bus='0' target='0' "
                        "unit='0'/></hostdev>"),
    ("/domain/devices", "<disk type='file' device='disk'><source file='/a.img'/>"
                        "<target dev='vdb' bus='virtio'/><driver name='qemu' queues='{n}'/>"
                        "</disk>"),
    ("/domain/devices", "<controller type='virtio-serial' index='0' ports='{n}'/>"),
    ("/domain/devices", "<controller type='usb' index='0' model='qemu-xhci' ports='{n}'/>"),
    ("/domain/devices", "<video><model type='virtio' heads='{n}'/></video>"),
    ("/domain/devices", "<memballoon model='virtio'><stats period='{n}'/></memballoon>"),
]


def _set_numbers(root: etree._Element, pick: int, value: str) -> None:
    """Put `value` into the `pick`-th attribute or text that holds a number."""
    spots: list[tuple[etree._Element, str | None]] = []
    for e in root.iter():
        if not isinstance(e.tag, str):
            continue
        spots += [(e, a) for a, v in sorted(e.attrib.items()) if v[:1].isdigit()]
        if e.text and e.text.strip()[:1].isdigit() and len(e) == 0:
            spots.append((e, None))
    if not spots:
        return
    e, attr = spots[pick % len(spots)]
    if attr is None:
        e.text = value
    else:
        e.set(attr, value)


def _add_site(root: etree._Element, pick: int, value: str) -> None:
    parent_path, snippet = COUNT_SITES[pick % len(COUNT_SITES)]
    parent = root.xpath(parent_path) if parent_path != "/domain" else [root]
    if not parent:
        return
    number = value.split("-")[-1]
    bitmap = "cpuset" in snippet or "cpus=" in snippet
    new = etree.fromstring(snippet.format(n=value if bitmap else number))
    old = parent[0].find(new.tag) if new.tag in ("iothreads", "vcpu", "cpu") else None
    if old is not None:
        parent[0].replace(old, new)
    else:
        parent[0].append(new)


def _repeat(root: etree._Element, pick: int, times: int) -> None:
    """A <qemu:arg> or <qemu:env> repeated many times (the analysis must stay linear).
    (Devices repeated by the thousand are PCI address assignment's own test.)"""
    elems = [e for e in root.iter() if isinstance(e.tag, str) and e.getparent() is not None
             and e.getparent().tag == f"{{{QEMU_URI}}}commandline"]
    if not elems:
        line = etree.SubElement(root, f"{{{QEMU_URI}}}commandline")
        elems = [etree.SubElement(line, f"{{{QEMU_URI}}}arg", value="-set"),
                 etree.SubElement(line, f"{{{QEMU_URI}}}arg", value="device.x.y=1")]
    e = elems[pick % len(elems)]
    parent = e.getparent()
    at = parent.index(e)
    for _ in range(times):
        parent.insert(at, etree.fromstring(etree.tostring(e)))


SPENT: list[tuple[float, str, str]] = []  # CPU seconds per example, for a look with -s


class Worker:
    """One long-lived limited process, so that each example costs no interpreter start."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "tests" / "hostile_worker.py"), str(MEMORY),
             str(CPU_SECONDS)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, xml: bytes) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(base64.b64encode(xml).decode() + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip() or "FAIL the worker died"

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture(scope="module")
def worker():
    w = Worker()
    yield w
    w.close()
    if SPENT:
        print("slowest examples (CPU s, mutation, value):", sorted(SPENT)[-3:])


@settings(max_examples=50, deadline=None, derandomize=True, database=None,
          phases=(Phase.explicit, Phase.generate),  # no shrinking: a failure prints its input
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(example=st.sampled_from(EXAMPLES), kind=st.sampled_from(("number", "site", "repeat")),
       pick=st.integers(0, 500), value=st.sampled_from(HUGE),
       times=st.sampled_from([1000, 4000]))
def test_numbers_and_repetition_stay_within_bounds(worker: Worker, example: Path, kind: str,
                                                    pick: int, value: str, times: int) -> None:
    root = etree.fromstring(example.read_bytes())
    if kind == "number":
        _set_numbers(root, pick, value)
    elif kind == "site":
        _add_site(root, pick, value)
    else:
        _repeat(root, pick, times)
    xml = etree.tostring(root)
    started = time.monotonic()
    reply = worker.ask(xml)
    SPENT.append((float(reply.split()[-1]) if not reply.startswith("FAIL") else 99.0, kind, value))
    if reply.startswith("FAIL"):
        # restart so that the next example is not judged by a broken worker
        worker.close()
        worker.__init__()  # type: ignore[misc]
    assert not reply.startswith("FAIL"), f"{reply} ({time.monotonic() - started:.1f} s):\n" \
                                         f"{xml.decode()[:2000]}"
