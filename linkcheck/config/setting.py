"""One row of the settings table (`settings.SETTINGS`): what a setting is and how it shows."""

from __future__ import annotations

from dataclasses import dataclass

from linkcheck.config.values import Bounds, Kind, format_duration

__all__ = ["Setting"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Setting:
    name: str  # the Config field
    kind: Kind
    default: object
    help: str  # one line for --help; the default is appended unless `default_text` is ""
    group: str
    flag: str | None  # "--host-rate"; None: config file only
    metavar: str | None = None
    short: str | None = None  # "-o"
    bounds: Bounds | None = None  # numbers only
    flag_value: object = None  # a flag without a value sets this (--no-images: False)
    repeatable: bool = False  # the flag may be given several times (values collected)
    key: str = ""  # the config key; "" means `name` with dashes ("host_rate" -> "host-rate")
    aliases: tuple[str, ...] = ()  # further accepted keys
    default_text: str | None = None  # how the default reads in --help; None: derived, "": none
    reported: bool = True  # goes into the report's run.options
    choices: tuple[str, ...] = ()  # Kind.CHOICE only

    @property
    def config_key(self) -> str:
        return self.key or self.name.replace("_", "-")

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(f for f in (self.short, self.flag) if f)

    def default_shown(self) -> str:
        """The default as --help and the README show it ("" when not worth showing)."""
        if self.default_text is not None:
            return self.default_text
        value = self.default
        if isinstance(value, bool) or value is None:
            return ""
        if isinstance(value, tuple):
            return " ".join(str(v) for v in value)
        if self.kind is Kind.DURATION and isinstance(value, int | float):
            return format_duration(value)
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)
