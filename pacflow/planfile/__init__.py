"""Plan files: a whole plan as YAML, applied as the commands that make the stored plan
match it, and exported back (see docs/plan-file.md)."""

from pacflow.planfile.diff import plan_commands
from pacflow.planfile.export import export_losses, export_plan
from pacflow.planfile.loader import (
    LoadedPlanFile,
    dump_yaml,
    load_plan_file,
    parse_plan_file,
    read_plan_file,
)
from pacflow.planfile.model import PlanFile

__all__ = [
    "LoadedPlanFile",
    "PlanFile",
    "dump_yaml",
    "export_losses",
    "export_plan",
    "load_plan_file",
    "parse_plan_file",
    "plan_commands",
    "read_plan_file",
]
