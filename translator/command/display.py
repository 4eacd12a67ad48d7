"""Input, audio backends, graphics, video and sound: the display-related stages.

Each area lives in its own module; this module keeps the stage names STAGES uses.
"""

from __future__ import annotations

from .audio import build_audio
from .graphics import build_graphics
from .input import build_inputs
from .sound import build_sound
from .video import build_video

__all__ = ["build_audio", "build_graphics", "build_inputs", "build_sound", "build_video"]
