"""What the game needs Textual's App to do otherwise: a screen stack that only its top
screen changes, one command palette that survives late updates, and Textual's own
commands in the player's language.

Each is a workaround for a measured behaviour of Textual 8.2.8, kept apart from the
game's flow (:mod:`lrgame.ui.app`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from textual.actions import ActionParseResult
from textual.app import App, SystemCommand
from textual.await_complete import AwaitComplete
from textual.command import CommandListItem, CommandPalette
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.widgets import OptionList

from .i18n import N_, _

# Textual's own palette commands, by their help text ("Keys" has two), in the player's language.
TEXTUAL_COMMANDS = {
    "Change the current theme": (N_("Theme"), N_("Change the current theme")),
    "Quit the application as soon as possible": (
        N_("Quit"),
        N_("Quit the application as soon as possible"),
    ),
    "Hide the keys and widget help panel": (N_("Keys"), N_("Hide the keys and widget help panel")),
    "Show help for the focused widget and a summary of available keys": (
        N_("Keys"),
        N_("Show help for the focused widget and a summary of available keys"),
    ),
    "Minimize the widget and restore to normal size": (
        N_("Minimize"),
        N_("Minimize the widget and restore to normal size"),
    ),
    "Maximize the focused widget": (N_("Maximize"), N_("Maximize the focused widget")),
}


class GuardedApp(App[None]):
    """Textual's App with the stack, palette and command fixes the game relies on."""

    def __init__(self) -> None:
        super().__init__()
        self._palette: CommandPalette | None = None
        """The last command palette opened; it keeps its id until it is fully removed."""

    def action_command_palette(self) -> None:
        """At most one palette: not while one is open (under the too-small screen too) or
        still closing, and not while the terminal is too small to show it."""
        from .screens.too_small import TooSmallScreen

        if not self.use_command_palette or isinstance(self.screen, TooSmallScreen):
            return
        if any(isinstance(screen, CommandPalette) for screen in self.screen_stack):
            return
        if self._palette is not None and self._palette.is_attached:
            return  # popped but not yet removed: a new one would clash with its id
        self._palette = SafeCommandPalette(id="--command-palette")
        self.push_screen(self._palette)

    def search_themes(self) -> None:
        """Textual's theme picker, in the palette that survives late updates."""
        from textual.theme import ThemeProvider

        self.push_screen(
            SafeCommandPalette(providers=[ThemeProvider], placeholder=_("Search for themes…"))
        )

    def search_commands(
        self, commands: Sequence[CommandListItem], placeholder: str = "Search for commands…"
    ) -> AwaitMount:
        from textual.command import SimpleProvider

        return self.push_screen(
            SafeCommandPalette(
                # Textual's own call, whose types do not quite line up with its hints.
                providers=[SimpleProvider(self.screen, commands)],  # type: ignore[list-item,arg-type]
                placeholder=placeholder,
            )
        )

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Run an action, unless it belongs to a screen that is no longer on top.

        Bindings are looked up from the focused widget, and for a moment after a
        screen is pushed or popped that can still be a widget of the screen before:
        its Escape would then dismiss a screen that is not showing (and pop another).
        """
        if default_namespace is not None and not self._on_top(default_namespace):
            return False
        if isinstance(default_namespace, OptionList) and action in ("page_up", "page_down"):
            # Textual 8.2.8 pages through the lines it last laid out: in a list squeezed to
            # no height, or whose options a search has just replaced (the palette), the
            # highlighted option has no line yet (KeyError). Then there is no page to turn.
            try:
                return await super().run_action(action, default_namespace, namespaces)
            except KeyError:
                return True
        return await super().run_action(action, default_namespace, namespaces)

    def _on_top(self, node: DOMNode) -> bool:
        if node is self:
            return True
        if isinstance(node, Screen):
            return node is self.screen
        try:
            return node.screen is self.screen  # type: ignore[attr-defined,no-any-return]
        except Exception:  # noqa: BLE001 - a node being removed has no screen
            return False

    def _handle_exception(self, error: Exception) -> None:
        """No traceback for a screen still being built when the player quits.

        Quitting takes the screens down while a screen pushed a moment before may still
        be mounting: its own ``on_mount`` (or a Textual widget's, such as ``Select``'s)
        then finds its children gone and raises NoMatches. The app is leaving anyway;
        any other error, or NoMatches while playing, is reported as Textual does.
        """
        if self._exit and isinstance(error, NoMatches):
            return
        super()._handle_exception(error)

    async def _check_bindings(self, key: str, priority: bool = False) -> bool:
        """No binding for a key that arrives once the last screen has gone.

        Keys the player typed just before quitting are still queued while Textual
        shuts down and pops every screen; Textual 8.2.8 then looks for the (missing)
        top screen's bindings and crashes on exit (ScreenStackError), as the chaos
        probe found.
        """
        if not self._screen_stacks.get(self._current_mode):
            return False
        return await super()._check_bindings(key, priority)

    def pop_screen(self) -> AwaitComplete:
        """Never pop the last screen, and never on behalf of a screen that is not on top
        (a key or timer that reached a screen after it was covered or left)."""
        if len(self.screen_stack) <= 1:
            return AwaitComplete.nothing()
        requester = _requesting_screen()
        if isinstance(requester, Screen) and requester in self.screen_stack:
            if requester is not self.screen:
                # Textual's dismiss has already handed the result to the callback; the
                # screen stays (with its entry: Textual pops one per screen), but the
                # callback must not run a second time later (InvalidStateError).
                # GuardedScreen never gets here.
                if requester._result_callbacks:
                    spent = requester._result_callbacks[-1]
                    spent.callback, spent.future = None, None
                return AwaitComplete.nothing()
        return super().pop_screen()

    def textual_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own palette commands, translated; its screenshot replaced by the app's."""
        for command in super().get_system_commands(screen):
            if command.help in TEXTUAL_COMMANDS:
                title, help_text = TEXTUAL_COMMANDS[command.help]
                command = command._replace(title=str(title), help=str(help_text))
            if command.title == "Screenshot":
                # Textual's saves to a Downloads folder that may not exist, and fails silently.
                command = SystemCommand(
                    _("Screenshot"),
                    _("Save an SVG picture of the screen (here, else in lrgame's data folder)"),
                    lambda: self.set_timer(0.1, self.action_screenshot),
                )
            yield command


def _requesting_screen() -> MessagePump | None:
    """The screen whose handler is running now (the screen of the widget, if a widget's)."""
    from textual._context import active_message_pump

    pump = active_message_pump.get(None)
    if pump is None or isinstance(pump, Screen | App):
        return pump
    try:
        return pump.screen  # type: ignore[attr-defined,no-any-return]
    except Exception:  # noqa: BLE001 - a widget being removed has no screen
        return None


class SafeCommandPalette(CommandPalette):
    """Textual's palette, surviving keys and searches that outlive its widgets.

    Textual 8.2.8's palette keeps searching (a worker) and reacting (watchers) while
    it is being closed and its children are already gone (``NoMatches`` for
    ``CommandList``), and its page keys can ask the list for an option that a new
    search has just removed (``KeyError``). Those late updates have nothing left to
    update, so they are dropped.
    """

    def _watch__list_visible(self) -> None:
        with contextlib.suppress(NoMatches):
            super()._watch__list_visible()

    async def _watch__show_busy(self) -> None:
        with contextlib.suppress(NoMatches):
            await super()._watch__show_busy()

    def _refresh_command_list(self, command_list: Any, commands: Any, clear_current: bool) -> None:
        if command_list.is_attached:
            with contextlib.suppress(NoMatches):
                super()._refresh_command_list(command_list, commands, clear_current)

    def _action_command_list(self, action: str) -> None:
        with contextlib.suppress(NoMatches, KeyError, IndexError):
            super()._action_command_list(action)

    def _select_or_command(self, event: Any = None) -> None:
        if not self.is_active:
            return  # an Enter that arrived after the too-small screen covered the palette
        with contextlib.suppress(NoMatches, KeyError, IndexError):
            super()._select_or_command(event)

    def dismiss(self, result: Any = None) -> AwaitComplete:
        # As GuardedScreen: a second dismiss would pop another screen.
        if not self.is_active:
            return AwaitComplete.nothing()
        return super().dismiss(result)
