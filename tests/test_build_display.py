"""Graphics, video, audio backends, sound devices and input devices."""

from __future__ import annotations

import json

import capsdb
import translator


def _inv(body: str, machine: str = "pc") -> translator.Invocation:
    xml = f"""<domain type='qemu'><name>t</name><memory>131072</memory><vcpu>1</vcpu>
      <os><type arch='x86_64' machine='{machine}'>hvm</type></os>
      <devices>{body}</devices></domain>"""
    return translator.translate(xml, capsdb.get(), profile="libvirt-test")


def _args(body: str, machine: str = "pc") -> list[str]:
    return _inv(body, machine).args


def _values(args: list[str], option: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == option]


def _devices(args: list[str]) -> list[dict[str, object]]:
    return [json.loads(v) for v in _values(args, "-device") if v.startswith("{")]


def _audiodevs(args: list[str]) -> list[dict[str, object]]:
    return [json.loads(v) for v in _values(args, "-audiodev")]


# -- audio ----------------------------------------------------------------------------------
def test_no_graphics_gets_a_none_audio_backend_and_display_none() -> None:
    args = _args("")
    assert _audiodevs(args) == [{"id": "audio1", "driver": "none"}]
    assert _values(args, "-display") == ["none"]


def test_spice_gets_a_spice_audio_backend_and_cirrus_video() -> None:
    args = _args("<graphics type='spice'/>")
    assert _audiodevs(args) == [{"id": "audio1", "driver": "spice"}]
    assert next(d for d in _devices(args) if d["id"] == "video0")["driver"] == "cirrus-vga"


def test_egl_headless_alone_adds_no_audio_backend() -> None:
    args = _args("<graphics type='egl-headless'/>")
    assert _audiodevs(args) == []
    assert _values(args, "-display") == ["egl-headless,rendernode=/dev/dri/foo"]


def test_audio_settings_map_to_in_and_out_objects() -> None:
    args = _args("<audio id='1' type='pulseaudio' serverName='srv' timerPeriod='50'>"
                 "<input mixingEngine='yes' fixedSettings='yes' voices='1' name='n'><settings "
                 "frequency='44100'/></input>"
                 "<output bufferLength='200' latency='20'/></audio>")
    assert _audiodevs(args) == [{
        "id": "audio1", "driver": "pa", "timer-period": 50, "server": "srv",
        "in": {"mixing-engine": True, "fixed-settings": True, "voices": 1, "frequency": 44100,
               "name": "n"},
        "out": {"buffer-length": 200, "latency": 20}}]


def test_file_audio_is_wav_and_pipewire_sets_its_runtime_dir() -> None:
    inv = _inv("<audio id='1' type='file' path='a.wav'/><audio id='2' type='pipewire' "
               "runtimeDir='/run/pw'/>")
    assert _audiodevs(inv.args)[0] == {"id": "audio1", "driver": "wav", "path": "a.wav"}
    assert "PIPEWIRE_RUNTIME_DIR=/run/pw" in inv.render("args")


# -- sound ----------------------------------------------------------------------------------
def test_hda_sound_gets_a_codec_on_its_bus_with_the_referenced_audiodev() -> None:
    args = _args("<sound model='ich6'><codec type='micro'/><audio id='2'/></sound>"
                 "<audio id='1' type='none'/><audio id='2' type='alsa'/>")
    codec = next(d for d in _devices(args) if d["driver"] == "hda-micro")
    assert codec == {"driver": "hda-micro", "id": "sound0-codec0", "bus": "sound0.0", "cad": 0,
                     "audiodev": "audio2"}


def test_ac97_uses_the_first_audio_backend() -> None:
    args = _args("<sound model='ac97'/><audio id='3' type='none'/>")
    ac97 = next(d for d in _devices(args) if d["driver"] == "AC97")
    assert ac97["audiodev"] == "audio3"


def test_virtio_sound_has_streams_and_transport_options() -> None:
    args = _args("<sound model='virtio'><driver packed='on'/></sound>")
    snd = next(d for d in _devices(args) if d["driver"] == "virtio-sound-pci")
    assert list(snd)[:5] == ["driver", "packed", "id", "audiodev", "streams"]
    assert snd["streams"] == 2


# -- graphics -------------------------------------------------------------------------------
def test_vnc_ipv6_listen_is_bracketed_with_share_policy() -> None:
    args = _args("<graphics type='vnc' port='5903' autoport='no' sharePolicy='force-shared'>"
                 "<listen type='address' address='::1'/></graphics>")
    assert _values(args, "-vnc") == ["[::1]:3,share=force-shared,audiodev=audio1"]


def test_vnc_socket_and_none_listens() -> None:
    assert _values(_args("<graphics type='vnc'><listen type='socket' socket='/s'/></graphics>"),
                   "-vnc") == ["vnc=unix:/s,audiodev=audio1"]
    assert _values(_args("<graphics type='vnc'><listen type='none'/></graphics>"),
                   "-vnc") == ["none,audiodev=audio1"]


def test_spice_tls_channels_and_compression() -> None:
    args = _args("<graphics type='spice' port='5903' tlsPort='5904' autoport='no' "
                 "listen='127.0.0.1'><channel name='main' mode='secure'/>"
                 "<image compression='off'/><clipboard copypaste='no'/></graphics>")
    assert _values(args, "-spice") == [
        "port=5903,tls-port=5904,addr=127.0.0.1,x509-dir=/etc/pki/libvirt-spice,"
        "tls-channel=main,image-compression=off,disable-copy-paste=on,seamless-migration=on"]


def test_spice_without_ports_listens_nowhere_and_gl_adds_rendernode() -> None:
    args = _args("<graphics type='spice'><gl enable='yes' rendernode='/dev/dri/r'/></graphics>")
    assert _values(args, "-spice") == ["port=0,gl=on,rendernode=/dev/dri/r,seamless-migration=on"]


def test_sdl_sets_x_environment_and_fullscreen() -> None:
    inv = _inv("<graphics type='sdl' display=':0.1' xauth='/x' fullscreen='yes'/>")
    text = inv.render("args")
    assert "XAUTHORITY=/x" in text and "DISPLAY=:0.1" in text
    assert "-full-screen" in inv.args
    assert _values(inv.args, "-display") == ["sdl"]


def test_dbus_p2p_with_audio() -> None:
    args = _args("<graphics type='dbus' p2p='yes'><audio id='1'/></graphics>"
                 "<audio id='1' type='dbus'/>")
    assert _values(args, "-display") == ["dbus,p2p=on,audiodev=audio1"]


# -- video ----------------------------------------------------------------------------------
def test_primary_video_comes_first_and_secondary_qxl_is_plain() -> None:
    args = _args("<graphics type='spice'/>"
                 "<video><model type='qxl' heads='2'/></video>"
                 "<video><model type='qxl' primary='yes'/></video>")
    videos = [d for d in _devices(args) if str(d["id"]).startswith("video")]
    assert [(v["driver"], v["id"], v["max_outputs"]) for v in videos] == [
        ("qxl-vga", "video0", 1), ("qxl", "video1", 2)]


def test_vga_gets_vgamem_from_vram_and_virtio_3d_uses_gl_devices() -> None:
    args = _args("<video><model type='vga' vram='8192'/></video>")
    assert next(d for d in _devices(args) if d["id"] == "video0")["vgamem_mb"] == 8
    args = _args("<video><model type='virtio' primary='yes'><acceleration accel3d='yes'/></model>"
                 "</video><video><model type='virtio'/></video>")
    vids = {d["id"]: d for d in _devices(args) if str(d["id"]).startswith("video")}
    assert vids["video0"]["driver"] == "virtio-vga-gl"
    assert vids["video1"]["driver"] == "virtio-gpu-pci"


def test_vhost_user_video_gets_a_socket_chardev() -> None:
    args = _args("<video><driver name='vhostuser'/><model type='virtio'/></video>")
    assert "socket,id=chr-vu-video0,fd=1729" in _values(args, "-chardev")
    vid = next(d for d in _devices(args) if d["id"] == "video0")
    assert vid["driver"] == "vhost-user-vga" and vid["chardev"] == "chr-vu-video0"


# -- input ----------------------------------------------------------------------------------
def test_virtio_passthrough_input_has_evdev() -> None:
    args = _args("<input type='passthrough' bus='virtio'><source evdev='/dev/input/e1'/></input>")
    dev = next(d for d in _devices(args) if d["driver"] == "virtio-input-host-pci")
    assert list(dev)[:3] == ["driver", "id", "evdev"] and dev["evdev"] == "/dev/input/e1"


def test_evdev_input_is_an_input_linux_object() -> None:
    args = _args("<input type='evdev'><source dev='/dev/input/e2' grab='all' repeat='on'/></input>")
    objs = [json.loads(v) for v in _values(args, "-object") if "input-linux" in v]
    assert objs == [{"qom-type": "input-linux", "id": "input0", "evdev": "/dev/input/e2",
                     "repeat": True, "grab_all": True}]
