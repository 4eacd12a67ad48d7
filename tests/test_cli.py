"""The xml2argv command line, both in-process (translator.cli.main) and as a real
subprocess (`python -m translator`), so that exit codes and stream use are what a
user's shell sees."""

from __future__ import annotations

import json
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


# --- workflow: versions, batches, checks, JSON, usage errors -------------------------------

QEMU_URI = "http://libvirt.org/schemas/domain/qemu/1.0"


def test_version():
    from translator.version import __version__

    res = run_cli("--version")
    assert res.returncode == 0 and res.stdout == f"xml2argv {__version__} (libvirt 11.3 rules)\n"


def test_batch_over_the_examples_directory():
    res = run_cli("--no-warnings", "examples")
    assert res.returncode == 0, res.stderr
    headers = [ln for ln in res.stdout.splitlines() if ln.startswith("==> ")]
    assert headers == [f"==> examples/{p.name} <==" for p in sorted(EXAMPLES.glob("*.xml"))]
    assert res.stderr.splitlines()[-1] == f"{len(headers)} domains: {len(headers)} ok, " \
                                          "0 with warnings, 0 refused"
    assert "\r" not in res.stderr  # no progress bar when stderr is not a terminal


def test_batch_reports_each_file_and_the_worst_status(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<domain type='kvm'><name>x</name></domain>")
    res = run_cli(str(DISK_DOMAIN), str(bad))
    assert res.returncode == 1
    assert f"==> {DISK_DOMAIN} <==" in res.stdout
    assert f"{bad}: error: " in res.stderr
    assert res.stderr.splitlines()[-1] == "2 domains: 1 ok, 0 with warnings, 1 refused"


def test_batch_json_is_one_document():
    res = run_cli("--format", "json", str(DISK_DOMAIN), str(SWAP_DOMAIN))
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["schema_version"] == 2 and [f["status"] for f in doc["files"]] == ["ok", "ok"]
    assert doc["files"][0]["result"]["binary"] == "/usr/bin/qemu-system-x86_64"


def test_json_carries_schema_qemu_profile_and_warning_objects():
    res = run_cli("--format", "json", "--qemu", "9.2", str(SWAP_DOMAIN))
    doc = json.loads(res.stdout)
    assert doc["schema_version"] == 2 and doc["profile"] == "host"
    assert doc["qemu"] == {"version": "9.2.0", "arch": "x86_64"}
    assert {"code", "severity", "line", "message"} == set(doc["warnings"][0])
    assert any(w["code"] == "cap-already-on" and w["line"] for w in doc["warnings"])
    assert res.stderr == ""  # the warnings are in the document


def test_check_clean_domain_exits_0():
    res = run_cli("--check", str(DISK_DOMAIN))
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout == f"{DISK_DOMAIN}: ok\n"


def test_check_fails_on_a_warning_and_fail_on_relaxes_it():
    res = run_cli("--check", str(SWAP_DOMAIN))
    assert res.returncode == 3, res.stdout
    assert f"{SWAP_DOMAIN}:23: warning: <qemu:add capability='blockdev'>: already on" \
        in res.stdout
    assert res.stdout.splitlines()[-1].startswith(f"{SWAP_DOMAIN}: 3 findings, 2 failing")
    assert run_cli("--check", "--fail-on", "error", str(SWAP_DOMAIN)).returncode == 0
    assert run_cli("--check", "--fail-on", "never", str(SWAP_DOMAIN)).returncode == 0
    assert run_cli("--check", "--fail-on", "taint", str(SWAP_DOMAIN)).returncode == 3
    assert run_cli("--check", "--fail-on", "info", str(DISK_DOMAIN)).returncode == 0


def test_check_refused_domain_exits_1(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<domain type='kvm'><name>x</name></domain>")
    res = run_cli("--check", str(bad), str(DISK_DOMAIN))
    assert res.returncode == 1
    assert res.stdout.splitlines()[-1] == "2 domains: 1 ok, 0 with failing findings, 1 refused"


def test_check_json_report():
    res = run_cli("--check", "--format", "json", str(SWAP_DOMAIN), str(DISK_DOMAIN))
    assert res.returncode == 3
    doc = json.loads(res.stdout)
    assert doc["exit_status"] == 3 and doc["fail_on"] == "warning"
    assert [f["failing"] for f in doc["files"]] == [2, 0]


def test_check_over_the_examples_directory():
    res = run_cli("--check", "--fail-on", "error", "examples")
    assert res.returncode == 0, res.stdout
    assert res.stdout.splitlines()[-1].startswith(f"{len(list(EXAMPLES.glob('*.xml')))} "
                                                  "domains: ")


@pytest.mark.parametrize("argv", [
    ["--explain", "--diff"], ["--aliases", "--diff"], ["--format", "shell", "--check"],
    ["--format", "html", "--explain"], ["--no-warnings", "--check"],
    ["--fail-on", "error"], ["--check", "--fail-on", "sometimes"],
    ["--abi-update", "--diff"], ["--suggest-override", "--qemu", "9.2"],
    ["--qemu", "9.2", "--caps", "x.xml"], ["--format", "html", "examples"],
])
def test_ignored_combinations_are_usage_errors(argv):
    res = run_cli(*argv, *([] if "examples" in argv else [str(DISK_DOMAIN)]))
    assert res.returncode == 2, (argv, res.stdout, res.stderr)
    assert "xml2argv: error: " in res.stderr


@pytest.mark.parametrize("argv", [["--list-caps", str(DISK_DOMAIN)],
                                  ["--list-qemu", "--list-caps"], ["--list-caps", "--arch",
                                                                   "aarch64"]])
def test_listing_combinations_are_usage_errors(argv):
    assert run_cli(*argv).returncode == 2


def test_listings_in_json_and_per_arch():
    caps = json.loads(run_cli("--list-caps", "--format", "json").stdout)
    assert caps["capabilities"] and {"name", "retired", "effect"} == set(caps["capabilities"][0])
    res = run_cli("--list-qemu", "--arch", "aarch64")
    assert res.returncode == 0 and res.stdout
    assert all(line.endswith("\taarch64") for line in res.stdout.splitlines())
    qemus = json.loads(run_cli("--list-qemu", "--format", "json").stdout)["profiles"]
    assert {"version", "arch"} == set(qemus[0])
    res = run_cli("--list-qemu", "--arch", "arm64")
    assert res.returncode == 2 and "did you mean 'aarch64'" in res.stderr


def test_aliases_in_json():
    doc = json.loads(run_cli("--aliases", "--format", "json", str(DISK_DOMAIN)).stdout)
    assert any(a["alias"] == "virtio-disk0" for a in doc["aliases"])


def test_shell_format_quotes_an_emulator_a_shell_would_read_as_an_assignment(tmp_path):
    dom = tmp_path / "emu.xml"
    dom.write_text(DISK_DOMAIN.read_text().replace("/usr/bin/qemu-system-x86_64", "a=b"))
    res = run_cli("--format", "shell", "--no-warnings", str(dom))
    assert res.returncode == 0, res.stderr
    assert " 'a=b' -name " in res.stdout
    # run from the command word on, with a program called 'a=b' that prints its first argument
    prog = tmp_path / "a=b"
    prog.write_text('#!/bin/sh\nprintf "%s\\n" "$1"\n')
    prog.chmod(0o755)
    line = "'a=b' " + res.stdout.split(" 'a=b' ", 1)[1]
    out = subprocess.run(["sh", "-c", line], capture_output=True, text=True,
                         env={"PATH": f"{tmp_path}:/usr/bin:/bin"}).stdout
    assert out == "-name\n"


def test_mirrored_constants_agree():
    """cli.py repeats a few constants so that it need not import the translator."""
    from translator import cli, effects, render, xmlsafe

    assert cli.FORMATS == render.FORMATS
    assert cli.SEVERITIES == effects.SEVERITIES
    assert cli.MAX_INPUT_BYTES == xmlsafe.MAX_INPUT_BYTES
    assert cli.JSON_SCHEMA_VERSION == render.JSON_SCHEMA_VERSION
    source = (REPO / "translator" / "effects.py").read_text()
    import re
    emitted = set(re.findall(r'EffectWarning\(\s*"([a-z-]+)"', source))
    assert emitted and emitted <= cli._ALL_CODES


def test_readme_mentions_only_real_options():
    """Every option the README shows in an `xml2argv ...` line exists."""
    import re

    from translator.cli import _parser

    known = {s for a in _parser()._actions for s in a.option_strings}
    readme = (REPO / "README.md").read_text()
    shown = set(re.findall(r"(--[a-z][a-z-]+)", "\n".join(
        ln for ln in readme.splitlines() if "xml2argv " in ln)))
    assert {"--check", "--fail-on", "--version"} <= shown
    assert shown <= known, shown - known


def test_readme_check_example_fails_on_a_warning(tmp_path):
    """The README's CI use: a directory checked, one domain with a warning fails it."""
    vms = tmp_path / "vms"
    vms.mkdir()
    (vms / "clean.xml").write_text(DISK_DOMAIN.read_text())
    (vms / "swap.xml").write_text(SWAP_DOMAIN.read_text())
    res = run_cli("--check", str(vms))
    assert res.returncode == 3
    assert f"{vms}/clean.xml: ok" in res.stdout.splitlines()
    assert run_cli("--check", "--fail-on", "error", str(vms)).returncode == 0


def test_misspelt_capability_in_the_xml_gets_a_hint_after_libvirts_refusal(tmp_path):
    dom = tmp_path / "cap.xml"
    dom.write_text(SWAP_DOMAIN.read_text().replace("capability='blockdev'",
                                                   "capability='blockdevv'"))
    res = run_cli(str(dom))
    assert res.returncode == 1
    assert res.stderr.splitlines() == [
        "error: internal error: invalid qemu namespace capability 'blockdevv'",
        "hint: 'blockdevv' is not a capability name (did you mean 'blockdev', "
        "'blockdev-del', 'blockdev-reopen'?); see --list-caps"]


def test_progress_bar_only_on_a_terminal():
    """On a terminal (a pty here) a batch draws a progress line on stderr and clears it."""
    import os
    import pty

    main_fd, child_fd = pty.openpty()
    try:
        res = subprocess.run([sys.executable, "-m", "translator", "--check", "--fail-on",
                              "never", "examples"], cwd=REPO, stdout=subprocess.PIPE,
                             stderr=child_fd, timeout=120)
        os.close(child_fd)
        child_fd = -1
        chunks = []
        while True:
            try:
                data = os.read(main_fd, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    finally:
        if child_fd >= 0:
            os.close(child_fd)
        os.close(main_fd)
    err = b"".join(chunks).decode()
    assert res.returncode == 0
    assert "\r\x1b[K[" in err and "examples/" in err  # drawn, then cleared
    assert b"\r" not in res.stdout


def test_main_start_options(capsys):
    """--host-cpu, --incoming/--incoming-fd and --vdpa-fd reach the translator."""
    assert main(["--profile", "libvirt-test", "--incoming", "stdio", "--incoming-fd", "7",
                 "--host-cpu", "Haswell", str(DISK_DOMAIN)]) == 0
    assert "-incoming fd:7" in capsys.readouterr().out
    for bad in (["--vdpa-fd", "nonsense"], ["--incoming", "stdio"], ["--incoming-fd", "3"],
                ["--diff", "--host-cpu", "Haswell"]):
        with pytest.raises(SystemExit) as exc:
            main([*bad, str(DISK_DOMAIN)])
        assert exc.value.code == 2, bad
    capsys.readouterr()
