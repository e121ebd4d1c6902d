"""The editor's side of the file: saving it atomically, following changes made to
it on disk, and asking before unsaved edits are lost.

A base of :class:`lrgame.ui.screens.editor.EditorScreen`, which holds the text,
its checking and the play-test; the file itself is ``lrgame.levels.textfile``'s
:class:`~lrgame.levels.textfile.WatchedFile` (atomic write, modification times).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lrgame.levels.textfile import DiskText

from ..i18n import _
from .guarded import GuardedScreen

if TYPE_CHECKING:
    from textual.widgets import TextArea

    from lrgame.engine.problems import Problem
    from lrgame.levels.analysis import Analysis
    from lrgame.levels.textfile import WatchedFile


class EditorFile(GuardedScreen[None]):
    """Save, watch and reload the edited file; ask before quitting with unsaved edits."""

    file: WatchedFile
    file_label: str
    disk_changed: bool
    analysis: Analysis | None
    problems: list[Problem]
    _load_error: str | None
    _asking: bool

    if TYPE_CHECKING:
        # The editor's (editor.py): the buffer and its state line.
        @property
        def text_area(self) -> TextArea: ...
        @property
        def text(self) -> str: ...
        @property
        def dirty(self) -> bool: ...
        def _update_status(self) -> None: ...

    def action_save(self) -> None:
        if self._load_error is not None:
            self.notify(self._load_error, severity="error")
            return
        if self.disk_changed:
            from .confirm import ConfirmScreen

            def answer(yes: bool | None) -> None:
                if yes:
                    self.save()

            self.app.push_screen(
                ConfirmScreen(
                    _(
                        "{file} changed on disk since the editor read it. Replace it with the "
                        "editor's text?",
                        file=self.file_label,
                    ),
                    _("Replace"),
                    _("Cancel"),
                ),
                answer,
            )
            return
        self.save()

    def save(self) -> bool:
        """Write the buffer to the file atomically; False (and a message) if it failed."""
        text = self.text
        try:
            self.file.write(text)
        except (OSError, UnicodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            self.notify(
                _(
                    "Could not save {file}: {reason}. The file on disk is unchanged; your "
                    "edits are still here.",
                    file=self.file_label,
                    reason=reason,
                ),
                severity="error",
                timeout=10,
            )
            return False
        self.disk_changed = False
        count = (
            len(self.problems) if self.analysis is not None and self.analysis.text == text else 0
        )
        if count:
            self.notify(
                _("Saved {file}, with problems left ({count}).", file=self.file_label, count=count)
            )
        else:
            self.notify(_("Saved {file}.", file=self.file_label))
        self._update_status()
        return True

    def check_disk(self) -> None:
        """Look at the file: follow a change made elsewhere, or warn if there are edits."""
        if not self.is_attached or self._load_error is not None:
            return
        change = self.file.poll()
        if change is None:
            return
        if not isinstance(change, DiskText):
            self.notify(
                _("{file} was deleted or moved; Ctrl+S writes it again.", file=self.file_label),
                severity="warning",
                timeout=10,
            )
        elif self.dirty:
            self.disk_changed = True
            self.notify(
                _(
                    "{file} changed on disk. Your unsaved edits are kept; saving will ask "
                    "before replacing the file.",
                    file=self.file_label,
                ),
                severity="warning",
                timeout=10,
            )
        else:
            self.reload(change)
        self._update_status()

    def reload(self, change: DiskText) -> None:
        """Show the file's new content, the cursor kept where it was (as far as it exists)."""
        area = self.text_area
        row, column = area.cursor_location
        self.file.follow(change)
        self.disk_changed = False
        area.load_text(change.text)
        lines = area.document.lines
        row = min(row, len(lines) - 1)
        area.move_cursor((row, min(column, len(lines[row]))))
        self.notify(_("Reloaded {file}: it changed on disk.", file=self.file_label))

    # -- leaving with unsaved edits -------------------------------------------

    def ask_before_quit(self) -> bool:
        """Called by the app before it quits: True if this screen asks first (unsaved edits)."""
        if not self.dirty:
            return False
        if not self._asking:
            self._confirm_discard(self.app.exit)
        return True

    def _confirm_discard(self, then: Callable[[], Any]) -> None:
        from .confirm import ConfirmScreen

        self._asking = True

        def answer(yes: bool | None) -> None:
            self._asking = False
            if yes:
                then()

        self.app.push_screen(
            ConfirmScreen(
                _("{file} has unsaved changes. Quit without saving them?", file=self.file_label),
                _("Quit"),
                _("Stay"),
            ),
            answer,
        )
