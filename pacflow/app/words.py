"""Errors put into words for a person: the message, then what to do next.

The core raises errors with a code, a subject and a `Suggestion` as data; this is where a
front end turns them into a sentence. The CLI shows the suggestion as a command to run;
a web page or an API shows the same suggestion as data (`PacflowError.as_json`).
French is offered for the suggestion's lead words and for the errors most people meet;
any other message stays as the core wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pacflow.errors import PacflowError, Suggestion

LANGUAGES = ("en", "fr")

_SEE = {"en": "see", "fr": "voir"}
_NOTES = {
    "fr": {
        "or create it": "ou le créer",
        "to start a new plan under this key": "pour commencer un nouveau plan sous cette clé",
    }
}
_STATUS_FR = {
    "draft": "en brouillon",
    "approved": "approuvé",
    "published": "publié",
    "revising": "en révision",
    "closed": "clôturé",
    "dropped": "abandonné",
}
_NOUNS_FR = {
    "plan": ("plan", "du plan", "inconnu"),
    "person": ("personne", "de la personne", "inconnue"),
    "target": ("cible", "de la cible", "inconnue"),
    "track": ("axe", "de l'axe", "inconnu"),
    "step": ("étape", "de l'étape", "inconnue"),
    "occurrence": ("visite", "de la visite", "inconnue"),
    "visit": ("visite", "de la visite", "inconnue"),
    "indicator": ("indicateur", "de l'indicateur", "inconnu"),
    "objective": ("objectif", "de l'objectif", "inconnu"),
    "finding": ("constat", "du constat", "inconnu"),
    "decision": ("décision", "de la décision", "inconnue"),
    "responsible": ("responsable", "du responsable", "inconnu"),
    "participant": ("participant", "du participant", "inconnu"),
    "predecessor": ("prédécesseur", "du prédécesseur", "inconnu"),
    "owner": ("propriétaire", "du propriétaire", "inconnu"),
}
"""Nouns that name what an error is about: as a noun, after "of" (with its article), and
the agreement of "unknown"."""


def _named_fr(text: str) -> str:
    """`step S01`, `responsible zz of step S01` in French words (keys left as they are)."""
    words = text.split(" ")
    out: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        following = words[index + 1] if index + 1 < len(words) else ""
        if word == "of" and following in _NOUNS_FR:
            out.append(_NOUNS_FR[following][1])
            index += 2
            continue
        out.append(_NOUNS_FR[word][0] if word in _NOUNS_FR and index % 2 == 0 else word)
        index += 1
    return " ".join(out)


def _unknown_fr(details: Mapping[str, str]) -> str:
    kind = _NOUNS_FR[details["kind"]]
    role = details["role"] + " " + details["key"]
    named = _named_fr(role + (" of " + details["of"] if details["of"] else ""))
    return f"{named} : {kind[0]} {kind[2]} dans le plan {details['plan']}"


_DOING_FR = {
    "un-holding a visit": "revenir sur une visite tenue",
    "cancelling an occurrence": "annuler une visite",
    "dropping it": "l'abandonner",
    "opening a revision": "ouvrir une révision",
    "reopening a step": "rouvrir une étape",
    "blocking a step": "bloquer une étape",
    "cancelling a step": "annuler une étape",
    "a correction": "une correction",
    "correcting a done date": "corriger une date de réalisation",
    "correcting a held date": "corriger la date d'une visite tenue",
}


def _reason_fr(details: Mapping[str, str]) -> str:
    what = _named_fr(details["what"])
    if "doing" in details:
        return f"{what} : {_DOING_FR[details['doing']]} demande une raison"
    if "revision" in details:
        return (
            f"{what} : une raison est requise pour modifier le plan {details['plan']} "
            f"(la révision {details['revision']} est ouverte)"
        )
    return (
        f"{what} : une raison est requise, le plan {details['plan']} est "
        f"{_STATUS_FR[details['status']]}"
    )


_MESSAGES_FR: dict[str, Callable[[Mapping[str, str]], str]] = {
    "no-such-plan": lambda d: f"plan {d['plan']} : aucun plan de ce nom",
    "dropped": lambda d: f"le plan {d['plan']} a été abandonné",
    "plan-not-yet": lambda d: (
        f"le plan {d['plan']} n'existait pas encore le {d['moment']} (créé le {d['created']})"
    ),
    "invalid-moment": lambda d: (
        f"{d['option']} {d['value']!r} : attendu une date (2025-06-01), une date et heure "
        "locales (2025-06-30T17:00, ~2 pour la seconde de deux heures répétées) ou avec un "
        "décalage (2025-06-30T15:00Z)"
    ),
    "unknown-key": _unknown_fr,
    "plan-closed": lambda d: (
        f"le plan {d['plan']} est clôturé : il n'accepte plus aucun changement"
    ),
    "revision-needed": lambda d: (
        f"{_named_fr(d['what'])} : le plan {d['plan']} est {_STATUS_FR[d['status']]} ; "
        "ouvrez une révision (avec une raison) avant de le modifier"
    ),
    "reason-required": _reason_fr,
}
"""French for the errors people meet most, from each error's details; any other error
(or one whose details do not fit) keeps the core's English message."""


def message(error: PacflowError, lang: str = "en") -> str:
    """`error`'s message in `lang` (English where no French wording fits it)."""
    words = _MESSAGES_FR.get(error.code) if lang == "fr" else None
    if words is None:
        return error.message
    try:
        text = words(error.details)
    except (KeyError, ValueError):
        return error.message
    return "".join(f"{where} : " for where in error.where) + text


def command_line(suggestion: Suggestion) -> str:
    """The suggested command as typed in a terminal."""
    words = " ".join(("pacflow", *suggestion.command))
    return f"{words} {suggestion.placeholders}" if suggestion.placeholders else words


def error_text(error: PacflowError, lang: str = "en") -> str:
    """The one line a terminal user reads for `error`."""
    text = message(error, lang)
    suggestion = error.suggestion
    if suggestion is None:
        return text
    note = suggestion.note
    if note is not None:
        note = _NOTES.get(lang, {}).get(note, note)
    tail = f", {note}" if note else ""
    return f"{text} ({_SEE.get(lang, 'see')} `{command_line(suggestion)}`{tail})"
