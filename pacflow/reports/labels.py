"""Every word a report shows, per language, in one place.

English labels keep the method's French term in parentheses where the method names a
thing (a reader of the English report still meets *collecte d'information*); French labels
are the method's own words (fiche 07: cible, piste d'action, responsable, échéance…).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from pacflow.errors import InvalidInputError

LANGUAGES = ("en", "fr")

_EN: dict[str, str] = {
    # report kinds
    "by.theme": "by theme",
    "by.rep": "by person",
    "by.sector": "by sector",
    "by.target": "by target",
    "for.sales": "for the sales team",
    "for.back-office": "for the back office and after-sales",
    "for.engineers": "for the engineers and technicians",
    "for.marketing": "marketing and communication synthesis",
    "for.appointments": "appointments to book with customers",
    "budget": "budget",
    # themes (domain, or domain-approach for sales)
    "theme.information": "Information gathering (collecte d'information)",
    "theme.internal": "Internal development (développement interne)",
    "theme.sales": "Sales (vente)",
    "theme.sales-notoriety": "Sales — notoriety (notoriété)",
    "theme.sales-hunting": "Sales — hunting (chasse)",
    "theme.sales-farming": "Sales — farming (élevage)",
    "theme.steering": "Steering (pilotage)",
    # step and visit states
    "state.done": "done",
    "state.late": "late",
    "state.cancelled": "cancelled",
    "state.planned": "planned",
    "state.in_progress": "in progress",
    "state.blocked": "blocked",
    "visit.held": "held",
    "visit.planned": "to hold",
    "visit.overdue": "overdue",
    "visit.cancelled": "cancelled",
    # target and person kinds
    "target.customer": "customer",
    "target.segment": "customer segment",
    "target.offer": "offer",
    "target.offer_segment": "offer for a segment",
    "person.rep": "sales rep",
    "person.manager": "manager",
    "person.back_office": "back office",
    # words
    "plan": "plan",
    "target": "target (cible)",
    "targets": "targets",
    "track": "action track (piste d'action)",
    "track.short": "Track",
    "track.word": "track",
    "target.word": "target",
    "step": "step",
    "steps": "Steps",
    "action": "action",
    "responsible": "responsible",
    "responsible.short": "resp.",
    "participants": "participants",
    "means": "means",
    "due": "due date",
    "dates": "dates",
    "status": "status",
    "objective": "objective",
    "objectives": "objectives",
    "baseline": "baseline",
    "indicator": "indicator",
    "role": "role",
    "role.responsible": "responsible",
    "role.participant": "participant",
    "role.responsible before": "responsible before",
    "role.participant before": "participant before",
    "sector": "sector",
    "no_sector": "No sector",
    "team": "team",
    "whole_plan": "Whole plan",
    "month": "month",
    "total": "total",
    "visits": "visits",
    "visits_per_month": "Visits per month",
    "timeline": "Global timeline",
    "timeline.short": "Timeline",
    "legend": "Legend",
    "milestone": "deadline",
    "today": "today",
    "progress": "Progress",
    "steps_done": "steps done",
    "visits_held": "visits held",
    "late_steps": "late steps",
    "overdue_visits": "visits overdue",
    "on_holiday": "on a public holiday",
    "period_elapsed": "of the period elapsed",
    "elapsed_mark": "the vertical mark on each bar shows how much of the period has elapsed",
    "also_responsible_for": "Also responsible for",
    "owns_indicators": "Indicators owned",
    "left_on": "left the team on",
    "dropped": "dropped",
    "nothing": "Nothing planned yet.",
    "as_recorded": "as recorded on",
    "situation": "situation on",
    "revision": "revision",
    "period": "period",
    "every_visit": "each dot is a visit",
    "summary": "Summary",
    "why_targets": "Why these targets",
    "why": "why",
    "unexplained": "no decision of the diagnostic explains it",
    "plan_status.draft": "draft",
    "plan_status.approved": "approved",
    "plan_status.published": "published",
    "plan_status.revising": "revising",
    "plan_status.closed": "closed",
    # the commercial dashboard (tableau de bord)
    "dash.title": "Commercial dashboard",
    "dash.as_known": "as known at",
    "dash.no_period": "no period with actuals yet",
    "dash.no_indicator": "No indicator defined yet.",
    "dash.group.activity": "Activity indicators",
    "dash.group.result": "Result indicators",
    "dash.kind.activity": "activity",
    "dash.kind.result": "result",
    "dash.status.on_track": "on track",
    "dash.status.at_risk": "at risk",
    "dash.status.off_track": "off track",
    "dash.status.no_data": "no data",
    "dash.rule": "Status rule",
    "dash.rule.below": "below",
    "dash.rule.no_data": "no actual or no target for the period",
    "dash.rule.direction": "attainment is actual ÷ target (target ÷ actual where lower is better)",
    "dash.target": "target",
    "dash.actual": "actual",
    "dash.gap": "gap",
    "dash.cumulative": "cumulative",
    "dash.cumulative_target": "cumulative target",
    "dash.attainment": "attainment",
    "dash.agg.per_period": "per period",
    "dash.agg.cumulative_ytd": "year to date",
    "dash.agg.rate_per_period": "rate per period",
    "dash.agg.rate_rolling_3m": "rate, rolling 3 months",
    "dash.dir.up": "higher is better",
    "dash.dir.down": "lower is better",
    "dash.chart": "actual against target, per period",
    "dash.chart.bars": "bars: actual values; line: targets",
    "dash.chart.line": "dots on a line: actual values; dashed line: targets",
    "dash.legend.target": "target",
    "dash.legend.actual": "actual (bar, or dot for a rate)",
    "dash.legend.corrected": "value corrected (hover: earlier value, when, why)",
    "dash.legend.shown": "period shown",
    "dash.legend.later": "after the period shown",
    "dash.corrected": "corrected",
    "dash.corrected_on": "corrected on",
    "dash.by": "by",
    "dash.first_recorded": "first recorded on",
    "dash.figures": "Figures per period",
    "dash.period_shown": "period shown",
}

_FR: dict[str, str] = {
    "by.theme": "par thème",
    "by.rep": "par personne",
    "by.sector": "par secteur",
    "by.target": "par cible",
    "for.sales": "pour l'équipe commerciale",
    "for.back-office": "pour le back office et le service après-vente",
    "for.engineers": "pour les ingénieurs et techniciens",
    "for.marketing": "synthèse des actions marketing et communication",
    "for.appointments": "rendez-vous à prendre avec les clients",
    "budget": "budget",
    "theme.information": "Collecte d'information",
    "theme.internal": "Développement interne",
    "theme.sales": "Vente",
    "theme.sales-notoriety": "Vente — notoriété",
    "theme.sales-hunting": "Vente — chasse",
    "theme.sales-farming": "Vente — élevage",
    "theme.steering": "Pilotage",
    "state.done": "fait",
    "state.late": "en retard",
    "state.cancelled": "annulé",
    "state.planned": "prévu",
    "state.in_progress": "en cours",
    "state.blocked": "bloqué",
    "visit.held": "tenues",
    "visit.planned": "à tenir",
    "visit.overdue": "en retard",
    "visit.cancelled": "annulées",
    "target.customer": "client",
    "target.segment": "segment de clientèle",
    "target.offer": "produit ou prestation",
    "target.offer_segment": "couple prestation/clientèle",
    "person.rep": "commercial",
    "person.manager": "manager",
    "person.back_office": "back office",
    "plan": "plan",
    "target": "cible",
    "targets": "cibles",
    "track": "piste d'action",
    "track.short": "Piste d'action",
    "track.word": "piste d'action",
    "target.word": "cible",
    "step": "étape",
    "steps": "Étapes",
    "action": "action",
    "responsible": "responsable",
    "responsible.short": "resp.",
    "participants": "participants",
    "means": "moyens",
    "due": "échéance",
    "dates": "dates",
    "status": "statut",
    "objective": "objectif",
    "objectives": "objectifs",
    "baseline": "point de départ",
    "indicator": "indicateur",
    "role": "rôle",
    "role.responsible": "responsable",
    "role.participant": "participant",
    "role.responsible before": "responsable auparavant",
    "role.participant before": "participant auparavant",
    "sector": "secteur",
    "no_sector": "Sans secteur",
    "team": "équipe",
    "whole_plan": "Tout le plan",
    "month": "mois",
    "total": "total",
    "visits": "visites",
    "visits_per_month": "Visites par mois",
    "timeline": "Planning global",
    "timeline.short": "Planning",
    "legend": "Légende",
    "milestone": "échéance",
    "today": "aujourd'hui",
    "progress": "Avancement",
    "steps_done": "étapes faites",
    "visits_held": "visites tenues",
    "late_steps": "étapes en retard",
    "overdue_visits": "visites en retard",
    "on_holiday": "un jour férié",
    "period_elapsed": "de la période écoulés",
    "elapsed_mark": "le trait vertical sur chaque barre indique la part de la période écoulée",
    "also_responsible_for": "Responsable aussi de",
    "owns_indicators": "Indicateurs suivis",
    "left_on": "a quitté l'équipe le",
    "dropped": "abandonnée",
    "nothing": "Rien de planifié pour l'instant.",
    "as_recorded": "tel qu'enregistré le",
    "situation": "situation au",
    "revision": "révision",
    "period": "période",
    "every_visit": "chaque point est une visite",
    "summary": "Synthèse",
    "why_targets": "Pourquoi ces cibles",
    "why": "pourquoi",
    "unexplained": "aucune décision du diagnostic ne l'explique",
    "plan_status.draft": "brouillon",
    "plan_status.approved": "approuvé",
    "plan_status.published": "publié",
    "plan_status.revising": "en révision",
    "plan_status.closed": "clos",
    "dash.title": "Tableau de bord commercial",
    "dash.as_known": "tel que connu le",
    "dash.no_period": "aucune période avec un réalisé",
    "dash.no_indicator": "Aucun indicateur défini pour l'instant.",
    "dash.group.activity": "Indicateurs d'activité",
    "dash.group.result": "Indicateurs de résultat",
    "dash.kind.activity": "activité",
    "dash.kind.result": "résultat",
    "dash.status.on_track": "en ligne",
    "dash.status.at_risk": "à surveiller",
    "dash.status.off_track": "en décrochage",
    "dash.status.no_data": "pas de données",
    "dash.rule": "Règle de statut",
    "dash.rule.below": "en dessous",
    "dash.rule.no_data": "pas de réalisé ou pas d'objectif pour la période",
    "dash.rule.direction": "taux d'atteinte = réalisé ÷ objectif (objectif ÷ réalisé quand "
    "moins est mieux)",
    "dash.target": "objectif",
    "dash.actual": "réalisé",
    "dash.gap": "écart",
    "dash.cumulative": "cumul",
    "dash.cumulative_target": "objectif cumulé",
    "dash.attainment": "atteinte",
    "dash.agg.per_period": "par période",
    "dash.agg.cumulative_ytd": "cumul depuis le début de l'année",
    "dash.agg.rate_per_period": "taux par période",
    "dash.agg.rate_rolling_3m": "taux glissant sur 3 mois",
    "dash.dir.up": "plus est mieux",
    "dash.dir.down": "moins est mieux",
    "dash.chart": "réalisé face à l'objectif, par période",
    "dash.chart.bars": "barres : réalisé ; ligne : objectif",
    "dash.chart.line": "points reliés : réalisé ; ligne pointillée : objectif",
    "dash.legend.target": "objectif",
    "dash.legend.actual": "réalisé (barre, ou point pour un taux)",
    "dash.legend.corrected": "valeur corrigée (au survol : valeur antérieure, quand, pourquoi)",
    "dash.legend.shown": "période affichée",
    "dash.legend.later": "après la période affichée",
    "dash.corrected": "corrigé",
    "dash.corrected_on": "corrigé le",
    "dash.by": "par",
    "dash.first_recorded": "saisi d'abord le",
    "dash.figures": "Chiffres par période",
    "dash.period_shown": "période affichée",
}

_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": (
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ),
}

_LABELS: Mapping[str, Mapping[str, str]] = {"en": _EN, "fr": _FR}


class Labels:
    """The words of one language, and how that language writes dates and months."""

    def __init__(self, lang: str) -> None:
        if lang not in _LABELS:
            raise InvalidInputError(f"language {lang!r}: expected one of {', '.join(LANGUAGES)}")
        self.lang = lang
        self._words = _LABELS[lang]

    def __getitem__(self, key: str) -> str:
        return self._words[key]

    def date(self, day: datetime.date | None) -> str:
        """`2025-03-14` in English, `14/03/2025` in French; empty for no date."""
        if day is None:
            return ""
        return day.strftime("%d/%m/%Y") if self.lang == "fr" else day.isoformat()

    def moment(self, moment: datetime.datetime) -> str:
        """A date and time to the minute, the date written as the language writes it."""
        return f"{self.date(moment.date())} {moment:%H:%M}"

    def month(self, key: str) -> str:
        """The short name of month `2025-03` (`Mar`, `mars`)."""
        return _MONTHS[self.lang][int(key[5:7]) - 1]

    def span(self, start: datetime.date | None, end: datetime.date | None) -> str:
        """`2025-03-01 → 2025-03-31`, or the single date, or nothing."""
        if start is None or start == end:
            return self.date(end)
        return f"{self.date(start)} → {self.date(end)}"

    def percent(self, share: float | None) -> str:
        """`48%` (`48 %` in French), or a dash when there is nothing to count."""
        if share is None:
            return "\u2013"
        return f"{round(share * 100)}\u00a0%" if self.lang == "fr" else f"{round(share * 100)}%"


def label_keys(lang: str) -> frozenset[str]:
    """The label keys a language defines (tests check both languages define the same)."""
    return frozenset(_LABELS[lang])


__all__ = ["LANGUAGES", "Labels", "label_keys"]
