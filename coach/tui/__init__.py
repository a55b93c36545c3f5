"""The practice app (Textual): a thin shell over the core; see ``app.CoachApp``.

``logic/`` holds the app's decisions as plain functions (no Textual), ``screens/`` one module per
screen, ``widgets/`` and ``dialogs/`` the small pieces they are made of.
"""
