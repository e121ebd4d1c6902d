"""A setup field read before its editor is built: its starting value, never a crash."""

from __future__ import annotations

from lrgame.setupform import FieldSpec
from lrgame.ui.widgets.param_field import ParamField


def test_a_field_not_yet_built_reads_as_its_starting_value() -> None:
    # A group mounted a moment ago on a busy machine: the form is checked before
    # the fields have made their editors (this used to raise NoMatches).
    betas = ParamField(
        "optimizer", "adam", FieldSpec("betas", "numbers"), (0.8, 0.99), (0.9, 0.999)
    )
    assert not betas.composed
    assert betas.read() == (True, [0.8, 0.99])
    eps = ParamField("optimizer", "adam", FieldSpec("eps"), 1e-8, 1e-8)
    assert eps.read() == (False, None)  # the default as shown: the engine's own value
    tick = ParamField("optimizer", "sgd", FieldSpec("nesterov", "bool"), True, False)
    assert tick.read() == (True, True)
    bad = ParamField("schedule", "multistep", FieldSpec("milestones", "numbers"), "1, x", [10])
    assert bad.read() == (False, None) and bad.error is not None
    bad.show_error()  # nothing to show on yet: shown by the next check
