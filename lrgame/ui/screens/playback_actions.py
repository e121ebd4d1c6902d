"""The controls shared by screens that play finished runs back (the descent, the race)."""

from __future__ import annotations

import time

from lrgame.playback import Playback


class PlaybackActions:
    """Pause, single step, speed, skip and the clock, over ``self.playback``.

    A screen mixing this in sets ``playback`` once its runs are computed,
    calls ``start_clock`` then ``advance`` from its timer, and implements
    ``show_step`` (draw everything at ``playback.step``).
    """

    playback: Playback | None = None
    _last_tick: float = 0.0

    def show_step(self) -> None:
        raise NotImplementedError

    def start_clock(self) -> None:
        self._last_tick = time.monotonic()

    def advance(self) -> int:
        """Move the walkers by the time elapsed since the last call; redraw if they moved."""
        if self.playback is None:
            return 0
        now = time.monotonic()
        advanced = self.playback.tick(now - self._last_tick)
        self._last_tick = now
        if advanced:
            self.show_step()
        return advanced

    def action_pause(self) -> None:
        if self.playback is not None:
            self.playback.toggle_pause()
            self.start_clock()
            self.show_step()

    def action_single_step(self) -> None:
        if self.playback is not None and self.playback.single_step():
            self.show_step()

    def action_faster(self) -> None:
        if self.playback is not None:
            self.playback.faster()
            self.show_step()

    def action_slower(self) -> None:
        if self.playback is not None:
            self.playback.slower()
            self.show_step()

    def action_skip(self) -> None:
        if self.playback is not None:
            self.playback.skip_to_end()
            self.show_step()
