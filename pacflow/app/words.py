"""Errors put into words for a person: the message, then what to do next.

The core raises errors with a code, a subject and a `Suggestion` as data; this is where a
front end turns them into a sentence. The CLI shows the suggestion as a command to run;
a web page or an API shows the same suggestion as data (`PacflowError.as_json`).
French is offered for the suggestion's lead words and for the errors most people meet;
any other message stays as the core wrote it.
"""

from __future__ import annotations

from pacflow.errors import PacflowError, Suggestion

_SEE = {"en": "see", "fr": "voir"}
_NOTES = {"fr": {"or create it": "ou le créer"}}
_MESSAGES_FR = {
    "no-such-plan": "plan {subject} : aucun plan de ce nom",
}


def command_line(suggestion: Suggestion) -> str:
    """The suggested command as typed in a terminal."""
    words = " ".join(("pacflow", *suggestion.command))
    return f"{words} {suggestion.placeholders}" if suggestion.placeholders else words


def error_text(error: PacflowError, lang: str = "en") -> str:
    """The one line a terminal user reads for `error`."""
    template = _MESSAGES_FR.get(error.code) if lang == "fr" else None
    message = template.format(subject=error.subject) if template else error.message
    suggestion = error.suggestion
    if suggestion is None:
        return message
    note = suggestion.note
    if note is not None:
        note = _NOTES.get(lang, {}).get(note, note)
    tail = f", {note}" if note else ""
    return f"{message} ({_SEE.get(lang, 'see')} `{command_line(suggestion)}`{tail})"
