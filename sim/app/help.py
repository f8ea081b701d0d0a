"""`python -m sim --help`: Hydra's help template filled from the config schema
(sim/core/config.py): every key with its meaning (the `#:` comment above the field, else the
section's docstring), its default and its unit (from the key's name or its comment)."""

from __future__ import annotations

import dataclasses
import inspect
import re
import textwrap

from sim.core.config import SimConfig

#: unit implied by a key's name suffix (the project names units in keys: _mw, _days, ...)
SUFFIX_UNITS = {"_mw": "MW", "_days": "days", "_years": "years", "_krw_per_kwh": "KRW/kWh",
                "_krw": "KRW", "_mwh": "MWh"}
#: keys a planner reaches for first; shown in this order, the rest follow
MAIN_KEYS = ("scenario", "plan", "moves", "seed", "start", "horizon_end", "mc.replications",
             "mc.n_jobs", "mc.backend", "grid.enabled", "grid.n1", "grid.hvdc_delay_years",
             "grid.assessment.enabled", "rollout.burn_in_days", "output.figures",
             "output.console_table", "output.online_dates")
WIDTH = 100
_FIELD = re.compile(r"^\s+(\w+)\s*:")


def field_comments(cls: type) -> dict[str, str]:
    """The `#:` comment lines directly above each field of dataclass `cls`."""
    out, pending = {}, []
    for line in inspect.getsource(cls).splitlines():
        stripped = line.strip()
        if stripped.startswith("#:"):
            pending.append(stripped[2:].strip())
        elif match := _FIELD.match(line):
            if pending:
                out[match.group(1)] = " ".join(pending)
            pending = []
        elif stripped:
            pending = []
    return out


def _default(field: dataclasses.Field):
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return None


def schema_keys(cls: type = SimConfig, prefix: str = "") -> list[dict]:
    """Every leaf key of the schema: key, default, meaning, unit."""
    comments = field_comments(cls)
    section = (inspect.getdoc(cls) or "").split("\n")[0]
    keys = []
    for field in dataclasses.fields(cls):
        key, default = prefix + field.name, _default(field)
        if dataclasses.is_dataclass(default):
            keys += schema_keys(type(default), key + ".")
            continue
        meaning = comments.get(field.name) or section
        keys.append({"key": key, "default": _show(default), "meaning": meaning,
                     "unit": unit_of(field.name, meaning)})
    return keys


def unit_of(name: str, meaning: str) -> str:
    for suffix, unit in SUFFIX_UNITS.items():
        if name.endswith(suffix):
            return unit
    if "probability" in meaning or name.startswith("approval_"):
        return "0-1"
    if name.endswith("_factor") or "factor" in meaning:
        return "factor"
    return ""


def _show(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, str) and value == "???":
        return "(required)"
    if hasattr(value, "value"):            # an enum
        return str(value.value)
    return str(value).replace("${", "$ {")   # never an OmegaConf interpolation


def help_text() -> str:
    """The key table of the help page."""
    keys = {k["key"]: k for k in schema_keys()}
    ordered = [keys[k] for k in MAIN_KEYS if k in keys] + \
        [v for k, v in keys.items() if k not in MAIN_KEYS]
    lines = []
    for k in ordered:
        unit = f" [{k['unit']}]" if k["unit"] else ""
        head = f"  {k['key']}={k['default']}{unit}"
        lines.append(head)
        lines += textwrap.wrap(k["meaning"], WIDTH, initial_indent="      ",
                               subsequent_indent="      ")
    return "\n".join(lines)


HEADER = """python -m sim: when can Korea's 260,000 announced Blackwell GPUs run, site by site?

  python -m sim +scenario=apex                         one deterministic run
  python -m sim +scenario=apex mc.replications=500     Monte Carlo, P10/P50/P90
  python -m sim -m +scenario=apex plan=null,hyundai_ulsan   a sweep (-m first)
  python -m sim.compare RUN_A RUN_B                    compare finished runs
Tab completion for `python -m sim`: source tools/sim-completion.bash (docs/planners.md)."""

FOOTER = """Every key is declared, with its source, in sim/core/config.py (SimConfig); an unknown
key or a wrong type stops the run with one line naming the key."""


def help_config() -> dict:
    """The hydra/help node: header, footer and a template with the schema's keys."""
    template = ("${hydra.help.header}\n\n== Main keys (key=default [unit], meaning) ==\n"
                + help_text().replace("$", "$$")   # string.Template: a literal $
                + "\n\n== Config groups (+group=option) ==\n$APP_CONFIG_GROUPS\n"
                "${hydra.help.footer}\n")
    return {"app_name": "sim", "header": HEADER, "footer": FOOTER, "template": template}


def register_help() -> None:
    """Store the help page as `hydra/help=sim_help` (selected by sim.app.cli on --help)."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(group="hydra/help", name="sim_help", node=help_config())
