"""Metric cards and the key-point checklist of the review screen."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from coach.tui.logic.review import Card, Flag, Point
from coach.tui.logic.timebox import clock


class MetricCard(Static):
    """One metric: title, value, note; the band colours its border."""

    def __init__(self, card: Card) -> None:
        body = Text()
        body.append(card.title + "\n", style="dim")
        body.append(card.value + "\n", style="bold")
        body.append(card.note, style="italic")
        super().__init__(body, classes=f"metric-card -{card.band or 'neutral'}")


class MetricCards(Horizontal):
    """The row of metric cards."""

    def __init__(self, cards: list[Card], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.cards = cards

    def compose(self) -> ComposeResult:
        for card in self.cards:
            yield MetricCard(card)

    async def update_cards(self, cards: list[Card]) -> None:
        self.cards = cards
        await self.remove_children()
        await self.mount_all(MetricCard(card) for card in cards)


def checklist_text(points: list[Point]) -> Text:
    """Key points as a checklist: ✔ covered (with what was heard), ✘ missed."""
    text = Text()
    if not points:
        text.append("No key points to check for this answer.", style="dim")
        return text
    for point in points:
        if point.covered:
            text.append("✔ ", style="bold green")
            text.append(point.text)
            if point.hits:
                text.append(f'  ("{point.hits[0]}")', style="dim")
        else:
            text.append("✘ ", style="bold red")
            text.append(point.text, style="dim")
            if point.why:
                text.append(f"\n   why it matters: {point.why}", style="italic")
        text.append("\n")
    return text


def flags_text(flags: list[Flag], leaned: str = "") -> Text:
    """Red flags, each with the words that show it and when; then the phrases leaned on."""
    text = Text()
    if not flags:
        text.append("No red flags.", style="dim")
    for flag in flags:
        text.append("⚑ ", style="bold red")
        text.append(flag.text)
        if flag.evidence:
            at = f"{clock(flag.start)} " if flag.start is not None else ""
            text.append(f'\n   {at}"{flag.evidence}"', style="dim")
        text.append("\n")
    if leaned:
        text.append("\nLeaned on: ", style="bold")
        text.append(leaned)
    return text


class RedFlags(Static):
    def __init__(self, flags: list[Flag], leaned: str = "", **kwargs: object) -> None:
        super().__init__(flags_text(flags, leaned), **kwargs)  # type: ignore[arg-type]

    def show(self, flags: list[Flag], leaned: str = "") -> None:
        self.update(flags_text(flags, leaned))


class KeyPointChecklist(Static):
    def __init__(self, points: list[Point], **kwargs: object) -> None:
        super().__init__(checklist_text(points), **kwargs)  # type: ignore[arg-type]

    def show(self, points: list[Point]) -> None:
        self.update(checklist_text(points))
