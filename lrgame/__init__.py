"""lrgame: a terminal game that teaches the learning rate."""

__version__ = "0.1.0"
