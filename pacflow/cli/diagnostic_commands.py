"""`pacflow diagnostic …`, `target justify`, `target why`: the diagnostic behind the targets.

The method draws up the PAC "after the marketing and sales diagnostic of your sector": each
tool's figures are recorded as a finding (from a CSV a CRM exports, or typed in), each
decision cites its findings, each target the decisions it implements, and `target why`
gives the chain back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pacflow.cli.common import change_options, json_option, pass_app, plan_argument, run_named
from pacflow.cli.context import GLOBAL_LANG, AppContext, language
from pacflow.cli.render import echo_json, to_json

_title_option = click.option(
    "--title", required=True, help="What the finding shows, in one sentence."
)
_period_option = click.option("--period", help="The period analysed, e.g. 2024.")
_lang_option = click.option(
    "--lang",
    default=language,
    show_default=GLOBAL_LANG,
    metavar="en|fr",
    help="Language of the words.",
)
_as_of_option = click.option(
    "--as-of", metavar="DATETIME", help="The plan as recorded then (default: now)."
)


@click.group()
def diagnostic() -> None:
    """The diagnostic behind the targets: findings of the method's tools and decisions.

    \b
    Findings (the tools of the method, from the last period's results):
      abc     the cross ABC matrix, from a CSV of accounts (revenue, potential)
      offers  the offers x segments matrix, from a CSV of cells (with verdicts)
      deals   the amont/aval matrix, from a CSV of won and lost deals (origin)
      emoff   strengths, weaknesses, opportunities, threats
    Then `diagnostic decide` records a decision citing findings, `target justify` (or
    `target add --decision`) says which decisions a target implements, and `target why`
    gives the chain back.
    """


def _record(app: AppContext, plan: str, key: str, figures: dict[str, Any], options: Any) -> None:
    run_named(app, "RecordFinding", {"plan": plan, "key": key, "figures": figures, **options})


@diagnostic.command(name="abc")
@plan_argument
@click.argument("key")
@click.option(
    "--accounts",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV: account, revenue, potential [, name, segment, status client|prospect].",
)
@click.option("--revenue-a", required=True, metavar="AMOUNT", help="Revenue from which A.")
@click.option("--revenue-b", required=True, metavar="AMOUNT", help="Revenue from which B.")
@click.option("--potential-a", required=True, metavar="AMOUNT", help="Potential from which A'.")
@click.option("--potential-b", required=True, metavar="AMOUNT", help="Potential from which B'.")
@_title_option
@_period_option
@change_options
@pass_app
def diagnostic_abc(
    app: AppContext,
    plan: str,
    key: str,
    accounts: Path,
    revenue_a: str,
    revenue_b: str,
    potential_a: str,
    potential_b: str,
    **options: Any,
) -> None:
    """Record the cross ABC matrix: accounts by revenue class x potential class.

    Classes are read against the thresholds given (A from --revenue-a, B from
    --revenue-b, C below; P for prospects); the zones (core business, development,
    economical management) follow from the classes.

    \b
    Example:
      pacflow diagnostic abc PAC-2025 F1 --accounts accounts-2024.csv --period 2024 \\
          --revenue-a 600 --revenue-b 150 --potential-a 1000 --potential-b 500 \\
          --title "Industry volume at risk; Banking & Insurance: high potential"
    """
    from pacflow.app.diagnostic import accounts_figures

    figures = accounts_figures(
        accounts,
        revenue_a=revenue_a,
        revenue_b=revenue_b,
        potential_a=potential_a,
        potential_b=potential_b,
    )
    _record(app, plan, key, figures, options)


@diagnostic.command(name="offers")
@plan_argument
@click.argument("key")
@click.option(
    "--cells",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV: offer, segment, revenue [, margin_pct, conversion_pct, verdict].",
)
@_title_option
@_period_option
@change_options
@pass_app
def diagnostic_offers(app: AppContext, plan: str, key: str, cells: Path, **options: Any) -> None:
    """Record the offers x segments matrix: per cell revenue, margin, conversion, verdict.

    A verdict is develop, correct or abandon (développer, corriger, abandonner).

    \b
    Example:
      pacflow diagnostic offers PAC-2025 F2 --cells offers-2024.csv --period 2024 \\
          --title "Projects over 100 kEUR and CRM earn the best margins"
    """
    from pacflow.app.diagnostic import offer_cells

    _record(app, plan, key, offer_cells(cells), options)


@diagnostic.command(name="deals")
@plan_argument
@click.argument("key")
@click.option(
    "--deals",
    "deals_file",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV: timing (upstream|downstream), notoriety (strong|weak), outcome "
    "(won|lost|open) [, offer].",
)
@click.option("--offer", metavar="OFFER", help="Only the deals of this offer.")
@_title_option
@_period_option
@change_options
@pass_app
def diagnostic_deals(
    app: AppContext, plan: str, key: str, deals_file: Path, offer: str | None, **options: Any
) -> None:
    """Record the amont/aval matrix: won and lost deals by origin.

    Each deal falls in one of the four approaches: upstream of the customer's
    consultation with a strong notoriety (élevage) or a weak one (chasse), downstream with
    a strong notoriety (culture) or a weak one (cueillette). Open deals are left out.

    \b
    Example:
      pacflow diagnostic deals PAC-2025 F3 --deals crm-deals-2024.csv --offer OFF-CRM \\
          --period 2024 --title "CRM deals come from cueillette: 15 % conversion"
    """
    from pacflow.app.diagnostic import deals_figures

    _record(app, plan, key, deals_figures(deals_file, offer=offer), options)


@diagnostic.command(name="emoff")
@plan_argument
@click.argument("key")
@click.option("--strength", "strengths", multiple=True, help="A strength; repeat.")
@click.option("--weakness", "weaknesses", multiple=True, help="A weakness; repeat.")
@click.option("--opportunity", "opportunities", multiple=True, help="An opportunity; repeat.")
@click.option("--threat", "threats", multiple=True, help="A threat; repeat.")
@_title_option
@_period_option
@change_options
@pass_app
def diagnostic_emoff(
    app: AppContext,
    plan: str,
    key: str,
    strengths: tuple[str, ...],
    weaknesses: tuple[str, ...],
    opportunities: tuple[str, ...],
    threats: tuple[str, ...],
    **options: Any,
) -> None:
    """Record the EMOFF matrix: strengths, weaknesses, opportunities, threats.

    \b
    Example:
      pacflow diagnostic emoff PAC-2025 F4 --strength "Technical teams" \\
          --weakness "Low notoriety in banking" --opportunity "Regulatory projects" \\
          --threat "Offshoring" --title "Lean on the teams, work on notoriety"
    """
    figures = {
        "tool": "emoff",
        "strengths": list(strengths),
        "weaknesses": list(weaknesses),
        "opportunities": list(opportunities),
        "threats": list(threats),
    }
    _record(app, plan, key, figures, options)


@diagnostic.command(name="decide")
@plan_argument
@click.argument("key")
@click.option("--statement", required=True, help="The decision, in one sentence.")
@click.option(
    "--finding", "findings", multiple=True, required=True, help="A finding it rests on; repeat."
)
@change_options
@pass_app
def diagnostic_decide(
    app: AppContext, plan: str, key: str, findings: tuple[str, ...], **options: Any
) -> None:
    """Record a decision and the findings it rests on.

    \b
    Example:
      pacflow diagnostic decide PAC-2025 D1 --statement "Develop Banking & Insurance" \\
          --finding F1
    """
    fields = {"plan": plan, "key": key, "findings": list(findings), **options}
    run_named(app, "RecordDecision", fields)


@diagnostic.command(name="show")
@plan_argument
@_as_of_option
@_lang_option
@click.option(
    "--format",
    "fmt",
    metavar="md|html",
    help="Output format [default: from the -o file's extension, else md]; html draws each "
    "tool's schema (one self-contained page); --json for JSON.",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="Write to FILE instead of printing (nothing is written on error).",
)
@json_option
@pass_app
def diagnostic_show(
    app: AppContext,
    plan: str,
    as_of: str | None,
    lang: str,
    fmt: str | None,
    output: str | None,
    as_json: bool,
) -> None:
    """Draw every finding's matrix, then the decisions and the targets citing them.

    Markdown draws the matrices as tables; HTML draws each tool as the method does (the
    cross ABC grid with its zones, the offers x segments verdicts, the amont/aval
    quadrants, the EMOFF boxes), to present the plan with the schemas behind it.

    \b
    Examples:
      pacflow diagnostic show PAC-2025
      pacflow diagnostic show PAC-2025 --lang fr -o diagnostic-2025.html
      pacflow diagnostic show PAC-2025 --json
    """
    from pacflow.app.diagnostic import diagnostic_json, plan_state
    from pacflow.cli.language import output_format
    from pacflow.files import write_atomically
    from pacflow.reports.diagnostic import Words, diagnostic_markdown

    chosen = output_format(
        as_json=as_json, fmt=fmt, output=output, formats=("md", "html", "json"), default="md"
    )
    words = Words(lang)
    state = plan_state(app.app, plan, as_of)
    if chosen == "json":
        text = to_json(diagnostic_json(state)) + "\n"
    elif chosen == "html":
        from pacflow.reports.diagnostic_html import diagnostic_page

        text = diagnostic_page(state, lang)
    else:
        text = "\n".join(diagnostic_markdown(state, words)).rstrip() + "\n"
        unexplained = [t.key for t in state.targets.values() if not t.dropped and not t.decisions]
        if unexplained:
            text += f"\n{', '.join(unexplained)}: {words['unexplained']}\n"
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    write_atomically(Path(output), text, "the diagnostic")
    click.echo(f"{plan}: diagnostic ({chosen}) written to {output}", err=True)


# --- on the target group -----------------------------------------------------------------


@click.command(name="justify")
@plan_argument
@click.argument("target")
@click.option(
    "--decision", "decisions", multiple=True, required=True, help="A decision it implements."
)
@change_options
@pass_app
def target_justify(
    app: AppContext, plan: str, target: str, decisions: tuple[str, ...], **options: Any
) -> None:
    """Say which decisions of the diagnostic a target implements (replaces the earlier ones).

    \b
    Example:
      pacflow target justify PAC-2025 T3 --decision D2 --decision D3
    """
    fields = {"plan": plan, "target": target, "decisions": list(decisions), **options}
    run_named(app, "JustifyTarget", fields)


@click.command(name="why")
@plan_argument
@click.argument("key")
@_as_of_option
@_lang_option
@json_option
@pass_app
def target_why(
    app: AppContext, plan: str, key: str, as_of: str | None, lang: str, as_json: bool
) -> None:
    """Why is it a target? The decisions it implements and the findings behind them.

    KEY is a target, or a track or a step (then through the target it serves).

    \b
    Examples:
      pacflow target why PAC-2025 T3
      pacflow target why PAC-2025 S34 --lang fr
      pacflow target why PAC-2025 T3 --json
    """
    from pacflow.app.diagnostic import target_why as why
    from pacflow.reports.diagnostic import Words, why_lines

    words = Words(lang)
    answer = why(app.app, plan, key, as_of=as_of)
    if as_json:
        echo_json(answer.as_json())
        return
    click.echo("\n".join(why_lines(answer, words)))


def register(main: click.Group, target: click.Group) -> None:
    """Add `diagnostic` to the CLI, and `justify` and `why` to `target`."""
    main.add_command(diagnostic)
    target.add_command(target_justify)
    target.add_command(target_why)
