"""One hyperparameter of the setup form: torch's name, an editor, and what is wrong with it."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from lrgame.engine.problems import FieldPath
from lrgame.setupform import FieldSpec, Section, number_text, placeholder_text, read_field

from .tick import Tick

__all__ = ["ParamField"]


class ParamField(Widget):
    """A hyperparameter: torch's name, an editor, and what is wrong with it in words.

    An empty text field means "the default", shown as the placeholder.
    """

    DEFAULT_CSS = """
    ParamField { height: auto; width: 1fr; }
    """

    def __init__(
        self,
        section: Section,
        group: str,
        spec: FieldSpec,
        value: Any,
        default: Any,
    ) -> None:
        prefix = "opt" if section == "optimizer" else "sched"
        super().__init__(id=f"{prefix}-{group}-{spec.key}", classes="param")
        self.section: Section = section
        """``optimizer`` or ``schedule``: where the key goes in the strategy."""
        self.group = group
        """The optimizer or schedule this field belongs to."""
        self.spec = spec
        self._value = value
        self._default = default
        self._local_error: str | None = None
        self._engine_error: str | None = None

    @property
    def _start_text(self) -> str:
        return self._value if isinstance(self._value, str) else number_text(self._value)

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def target(self) -> FieldPath:
        """Where the value goes in the strategy: ``("optimizer", "betas")``."""
        return (self.section, self.spec.key)

    def compose(self) -> ComposeResult:
        spec = self.spec
        if spec.kind == "bool":
            yield Tick(spec.key, bool(self._value), classes="param-editor")
        elif spec.kind == "choice":
            yield Horizontal(
                Label(spec.key, classes="param-label"),
                Select(
                    [(c, c) for c in spec.choices],
                    value=self._value,
                    allow_blank=False,
                    compact=True,
                    classes="param-editor",
                ),
                classes="param-row",
            )
        else:
            yield Horizontal(
                Label(spec.key, classes="param-label"),
                Input(
                    self._start_text,
                    placeholder=placeholder_text(self._default),
                    compact=True,
                    classes="param-editor",
                    select_on_focus=True,
                ),
                classes="param-row",
            )
        yield Static("", classes="param-error")

    @property
    def editor(self) -> Widget:
        return self.query_one(".param-editor")

    @property
    def composed(self) -> bool:
        """The editor is there. A group mounted a moment ago may not have built it yet
        (on a busy machine the form is checked before that): until then the field
        holds its starting value."""
        return bool(self.query(".param-editor"))

    def read(self) -> tuple[bool, Any]:
        """``(present, value)`` for the strategy JSON; sets the local error if the text is unreadable.

        Absent means "use the default" (an empty field).
        """
        self._local_error = None
        if self.composed:
            editor = self.editor
            if isinstance(editor, (Checkbox, Select)):
                return True, editor.value
            assert isinstance(editor, Input)
            text = editor.value
        elif self.spec.kind in ("bool", "choice"):
            return True, self._value
        else:
            text = self._start_text
        reading = read_field(self.spec, text, self._default)
        self._local_error = reading.error
        return reading.present, reading.value

    @property
    def local_error(self) -> str | None:
        """The form's own problem with the text (not a number), from the last :meth:`read`."""
        return self._local_error

    def set_engine_error(self, message: str | None) -> None:
        self._engine_error = message

    @property
    def error(self) -> str | None:
        return self._local_error or self._engine_error

    def show_error(self) -> None:
        if not self.composed:
            return  # shown by the check that follows the editor's first Changed
        message = self.error
        box = self.query_one(".param-error", Static)
        box.update(f"✗ {message}" if message else "")
        box.set_class(message is not None, "-shown")
        self.editor.set_class(message is not None, "-error")
