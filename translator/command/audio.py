"""-audiodev backends (libvirt's <audio> elements) and the environment some of them need.

Branches (qemuBuildAudioCommandLine):
- [x] none, alsa, coreaudio, dbus, jack, oss, pulseaudio, sdl, spice, file, pipewire with
      input/output settings (mixing engine, fixed settings, voices, buffer length, device
      names, latency); env for SDL
"""

from __future__ import annotations

from ..cmdline import xml_source
from ..context import BuildContext
from ..model import Audio, Elem
from ..props import Props
from .display_common import audios, device_source

# libvirt type -> QEMU audiodev driver name, where they differ.
_DRIVER = {"pulseaudio": "pa", "file": "wav"}

# Per-direction (<input>/<output>) options each backend adds after the common ones:
# (XML attribute, QEMU property, kind) with kind 's' string, 'i' integer, 'b' yes/no.
_DIRECTION_EXTRA: dict[str, tuple[tuple[str, str, str], ...]] = {
    "alsa": (("dev", "dev", "s"),),
    "coreaudio": (("bufferCount", "buffer-count", "i"),),
    "jack": (("serverName", "server-name", "s"), ("clientName", "client-name", "s"),
             ("connectPorts", "connect-ports", "s"), ("exactName", "exact-name", "b")),
    "oss": (("dev", "dev", "s"), ("bufferCount", "buffer-count", "i"),
            ("tryPoll", "try-poll", "b")),
    "pulseaudio": (("name", "name", "s"), ("streamName", "stream-name", "s"),
                   ("latency", "latency", "i")),
    "pipewire": (("name", "name", "s"), ("streamName", "stream-name", "s"),
                 ("latency", "latency", "i")),
    "sdl": (("bufferCount", "buffer-count", "i"),),
}

# Backend-wide options on the <audio> element itself, after timer-period.
_TOP_EXTRA: dict[str, tuple[tuple[str, str, str], ...]] = {
    "file": (("path", "path", "s"),),
    "oss": (("tryMMap", "try-mmap", "b"), ("exclusive", "exclusive", "b"),
            ("dspPolicy", "dsp-policy", "i")),
    "pulseaudio": (("serverName", "server", "s"),),
}

_COMMON_DIRECTION = (("mixingEngine", "mixing-engine", "b"), ("fixedSettings", "fixed-settings", "b"),
                     ("voices", "voices", "i"), ("bufferLength", "buffer-length", "i"))
_SETTINGS = (("frequency", "frequency", "i"), ("channels", "channels", "i"), ("format", "format", "s"))


def _add_attrs(props: Props, e: Elem | None, spec: tuple[tuple[str, str, str], ...]) -> None:
    if e is None:
        return
    for attr, prop, kind in spec:
        v = e.get(attr)
        if v is None:
            continue
        if kind == "i":
            props.add(prop, int(v, 10))
        elif kind == "b":
            props.add(prop, v in ("yes", "on"))
        else:
            props.add(prop, v)


def _direction_props(audio: Audio, e: Elem | None) -> Props:
    p = Props()
    _add_attrs(p, e, _COMMON_DIRECTION)
    if e is not None:
        _add_attrs(p, e.find("settings"), _SETTINGS)
    _add_attrs(p, e, _DIRECTION_EXTRA.get(audio.type, ()))
    return p


def audiodev_props(audio: Audio) -> Props:
    """The JSON -audiodev object for one <audio> element."""
    e = audio.elem
    props = Props(("id", f"audio{audio.id}"), ("driver", _DRIVER.get(audio.type, audio.type)))
    _add_attrs(props, e, (("timerPeriod", "timer-period", "i"),))
    _add_attrs(props, e, _TOP_EXTRA.get(audio.type, ()))
    for tag, key in (("input", "in"), ("output", "out")):
        d = _direction_props(audio, e.find(tag))
        if len(d):
            props.add(key, d)
    return props


def _audio_env(ctx: BuildContext, audio: Audio) -> None:
    """Backends configured through QEMU's environment rather than -audiodev."""
    src = device_source(audio)
    if audio.type == "sdl" and audio.elem.get("driver"):
        ctx.cmd.setenv("SDL_AUDIODRIVER", audio.elem.get("driver"), src)
    elif audio.type == "pipewire":
        # without runtimeDir libvirt passes on the first runtime directory variable of its
        # own environment (qemuBuildAudioPipewireAudioEnv)
        runtime = audio.elem.get("runtimeDir")
        if runtime:
            ctx.cmd.setenv("PIPEWIRE_RUNTIME_DIR", runtime, src)
        elif ctx.host.pipewire_runtime_env is not None:
            ctx.cmd.setenv(*ctx.host.pipewire_runtime_env, src)


def build_audio(ctx: BuildContext) -> None:
    for audio in audios(ctx):
        _audio_env(ctx, audio)
        src = xml_source(audio.elem) if not audio.implicit else device_source(audio)
        ctx.cmd.add_json("-audiodev", audiodev_props(audio), src)
