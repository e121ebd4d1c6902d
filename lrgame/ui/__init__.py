"""The Textual game. It consumes the engine; the engine never imports it."""
