"""The command palette's rarer actions: microphone, reports folder, import, dashboard, last
review, past attempts.

Device listing touches PortAudio, so it runs in a thread when the palette opens; a machine with
no audio still gets every other command.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from coach.errors import CoachError

if TYPE_CHECKING:
    from coach.tui.app import CoachApp


def _input_devices() -> tuple[list[tuple[int, str]], str | None]:
    try:
        from coach.audio.devices import list_input_devices

        return list_input_devices(), None
    except (CoachError, ImportError) as exc:
        return [], str(exc)


def _browse_history(app: CoachApp) -> None:
    from coach.tui.screens.history import HistoryScreen

    app.push_screen(HistoryScreen())


class CoachCommands(Provider):
    """Commands of the coach for the palette (ctrl+p)."""

    app: CoachApp  # type: ignore[assignment]

    async def startup(self) -> None:
        self.devices, self.device_error = await asyncio.to_thread(_input_devices)

    def _commands(self) -> list[tuple[str, object, str]]:
        app = self.app
        commands: list[tuple[str, object, str]] = [
            ("Open the reports folder", app.action_open_reports, "show attempts and reports"),
            ("Import a recording file for analysis", app.action_import_recording,
             "analyse an existing audio file"),
            ("Open the progress dashboard", app.action_open_dashboard,
             "trends of every attempt in the browser"),
            ("Review the last attempt", app.action_review_last, "open the latest analysis"),
            ("Browse past attempts", partial(_browse_history, app),
             "review, re-analyse or delete any attempt"),
        ]
        for index, name in self.devices:
            commands.append(
                (f"Microphone: {name}", partial(app.choose_microphone, str(index), name),
                 f"record from input device {index}")
            )
        if self.device_error:
            commands.append(
                ("Microphone: none available", partial(app.notify, self.device_error,
                                                         severity="error"), self.device_error)
            )
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)  # type: ignore[arg-type]
