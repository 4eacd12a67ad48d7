"""The xml2argv command line, both in-process (translator.cli.main) and as a real
subprocess (`python -m translator`), so that exit codes and stream use are what a
user's shell sees."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from translator.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
DISK_DOMAIN = EXAMPLES / "kvm-domain.xml"
SWAP_DOMAIN = EXAMPLES / "blockdev-drive-swap.xml"


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m translator ARGS` from the repository root, as text."""
    return subprocess.run([sys.executable, "-m", "translator", *args], cwd=REPO,
                          input=stdin.decode() if stdin is not None else None,
                          capture_output=True, text=True, timeout=60)


def option_names(out: str) -> list[str]:
    return [line.split()[0] for line in out.splitlines() if line.startswith("-")]


# --- subprocess ---------------------------------------------------------------------


def test_subprocess_translates_an_example():
    res = run_cli(str(EXAMPLES / "qmp-over-tcp.xml"))
    assert res.returncode == 0, res.stderr
    # the effect analysis reports the custom-argv taint of <qemu:arg>, and nothing else
    assert res.stderr and all(line.startswith("warning: ") for line in res.stderr.splitlines())
    assert "custom-argv" in res.stderr
    quiet = run_cli("--no-warnings", str(EXAMPLES / "qmp-over-tcp.xml"))
    assert quiet.stderr == "" and quiet.stdout == res.stdout
    assert "/usr/bin/qemu-system-x86_64 \\\n" in res.stdout
    assert "-qmp tcp:127.0.0.1:4444,server=on,wait=off \\\n" in res.stdout
    assert res.stdout.endswith("-msg timestamp=on\n")


def test_subprocess_del_cap_blockdev_gives_legacy_drive():
    res = run_cli("--del-cap", "blockdev", str(DISK_DOMAIN))
    assert res.returncode == 0, res.stderr
    names = option_names(res.stdout)
    assert "-drive" in names
    assert "-blockdev" not in names


def test_subprocess_blockdev_swap_example_gives_blockdev():
    res = run_cli(str(SWAP_DOMAIN))
    assert res.returncode == 0, res.stderr
    names = option_names(res.stdout)
    assert names.count("-blockdev") == 2
    assert "-drive" not in names


def test_subprocess_list_caps_shows_drive_retired_without_effect():
    res = run_cli("--list-caps")
    assert res.returncode == 0
    drive = [line for line in res.stdout.splitlines() if line.split()[:1] == ["drive"]]
    assert len(drive) == 1
    assert "retired" in drive[0]
    assert "no effect" in drive[0]


def test_subprocess_list_qemu_lists_x86_versions():
    res = run_cli("--list-qemu")
    assert res.returncode == 0
    versions = {line.split()[0] for line in res.stdout.splitlines()
                if line.split()[1:] == ["x86_64"]}
    for v in ("6.2", "7.0", "7.1", "7.2", "8.0", "8.1", "8.2", "9.0", "9.1", "9.2", "10.0"):
        assert f"{v}.0" in versions
    assert res.stdout.index("6.2.0") < res.stdout.index("10.0.0")


@pytest.mark.parametrize("args", [
    (),                                   # no domain file
    ("--format", "yaml", "x.xml"),        # bad choice
    ("--no-such-option",),
    ("--profile", "session", "x.xml"),
])
def test_subprocess_usage_errors_exit_2(args):
    res = run_cli(*args)
    assert res.returncode == 2
    assert res.stdout == ""
    assert "usage:" in res.stderr


def test_subprocess_unknown_qemu_version_exits_2():
    res = run_cli("--qemu", "1.0", str(DISK_DOMAIN))
    assert res.returncode == 2
    assert res.stderr.startswith("error: ")


def test_subprocess_missing_file_exits_2():
    res = run_cli(str(REPO / "no-such-domain.xml"))
    assert res.returncode == 2
    assert res.stderr.startswith("error: cannot read ")


def test_subprocess_reads_stdin():
    data = DISK_DOMAIN.read_bytes()
    res = run_cli("-", stdin=data)
    assert res.returncode == 0, res.stderr
    assert res.stdout == run_cli(str(DISK_DOMAIN)).stdout


def test_subprocess_unknown_capability_is_a_usage_error():
    res = run_cli("--add-cap", "no-such-cap", str(DISK_DOMAIN))
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr.splitlines()[-1] == ("xml2argv: error: unknown capability 'no-such-cap'; "
                                           "see --list-caps")


def test_subprocess_formats_agree_on_the_binary():
    for fmt in ("args", "shell", "json", "argv"):
        res = run_cli("--format", fmt, str(DISK_DOMAIN))
        assert res.returncode == 0, (fmt, res.stderr)
        assert "/usr/bin/qemu-system-x86_64" in res.stdout


# --- in process ---------------------------------------------------------------------


def test_main_translates_an_example(capsys):
    assert main([str(EXAMPLES / "jemalloc-leak-check.xml")]) == 0
    out = capsys.readouterr().out
    assert "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 \\\n" in out
    assert "MALLOC_CONF=prof:true,prof_leak:true,lg_prof_sample:0,prof_final:true," in out


def test_main_del_cap_blockdev(capsys):
    assert main(["--del-cap", "blockdev", str(DISK_DOMAIN)]) == 0
    names = option_names(capsys.readouterr().out)
    assert "-drive" in names and "-blockdev" not in names


def test_main_blockdev_swap(capsys):
    assert main([str(SWAP_DOMAIN)]) == 0
    names = option_names(capsys.readouterr().out)
    assert "-blockdev" in names and "-drive" not in names


def test_main_older_qemu_profile(capsys):
    assert main(["--qemu", "6.2", str(DISK_DOMAIN)]) == 0
    assert "-machine pc-q35-6.2," in capsys.readouterr().out


def test_main_list_caps(capsys):
    assert main(["--list-caps"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.split()[0] == "drive")
    assert "retired" in line and "no effect" in line


def test_main_list_qemu(capsys):
    assert main(["--list-qemu"]) == 0
    out = capsys.readouterr().out
    assert "6.2.0\tx86_64" in out and "10.0.0\tx86_64" in out


def test_main_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_main_reads_stdin(monkeypatch, capsys):
    import io

    class FakeStdin:
        buffer = io.BytesIO(DISK_DOMAIN.read_bytes())

    monkeypatch.setattr(sys, "stdin", FakeStdin())
    assert main(["-"]) == 0
    assert "-name guest=kvm-guest,debug-threads=on" in capsys.readouterr().out


def test_main_unknown_capability_suggests_a_name(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--del-cap", "blockdevv", str(DISK_DOMAIN)])
    assert exc.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "unknown capability 'blockdevv' (did you mean 'blockdev'" in captured.err


def test_main_refusal_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.xml"
    bad.write_text("<domain type='kvm'><name>x</name><memory>1024</memory>"
                   "<os><type arch='x86_64'>hvm</type></os></domain")
    assert main([str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_subprocess_reader_closing_early_is_not_a_traceback():
    proc = subprocess.Popen([sys.executable, "-m", "translator", "--list-caps"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the child writes anything: its writes hit a closed pipe
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and err == ""
