"""Playback of a finished run: the clock the descent screen animates with.

The whole run is computed by the engine first (it is fast); playback only moves
a cursor along it, so the event loop never waits on the maths.
"""

from __future__ import annotations

from dataclasses import dataclass

SPEEDS = (1, 2, 4, 8, 16, 32, 64)
"""Speed multipliers: at speed s the walker takes ``base_rate * s`` steps a second."""


@dataclass
class Playback:
    """A cursor over a run of ``total`` steps (``total + 1`` points)."""

    total: int
    step: int = 0
    paused: bool = False
    speed_index: int = 2
    """Index into SPEEDS: steps advanced per second is ``base_rate * SPEEDS[i]``."""
    base_rate: float = 6.0
    _carry: float = 0.0

    @property
    def speed(self) -> int:
        return SPEEDS[self.speed_index]

    @property
    def steps_per_second(self) -> float:
        return self.base_rate * self.speed

    @property
    def finished(self) -> bool:
        return self.step >= self.total

    def tick(self, seconds: float) -> int:
        """Advance by elapsed time; returns how many steps were taken (0 when paused or done)."""
        if self.paused or self.finished:
            return 0
        self._carry += seconds * self.steps_per_second
        advance = int(self._carry)
        if advance == 0:
            return 0
        self._carry -= advance
        before = self.step
        self.step = min(self.total, self.step + advance)
        return self.step - before

    def single_step(self) -> int:
        """One step forward, pausing the playback (the 'step' key)."""
        self.paused = True
        if self.finished:
            return 0
        self.step += 1
        return 1

    def skip_to_end(self) -> None:
        self.step = self.total

    def restart(self) -> None:
        self.step = 0
        self._carry = 0.0
        self.paused = False

    def faster(self) -> None:
        self.speed_index = min(len(SPEEDS) - 1, self.speed_index + 1)

    def slower(self) -> None:
        self.speed_index = max(0, self.speed_index - 1)

    def toggle_pause(self) -> None:
        if not self.finished:
            self.paused = not self.paused
