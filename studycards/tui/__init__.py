"""The terminal UI (Textual): the home screen, quizzes, the daily review, their summary and help.

Nothing in the core (decks, checker, scheduler, store) imports this package; it only shows what
``studycards.session`` decides and what the store holds. Textual itself is imported only when a screen
is about to be shown, so other commands never pay for it.
"""
