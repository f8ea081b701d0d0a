"""A k-times national apex for the scale benchmark, written into a temporary directory.

Every owner and every site is copied k times (copy 0 keeps its ids, copy i > 0 appends
`_c{i}`): owners, sites, phases, connections, connection requests (derived steps),
assessments, site buses, plan, deliveries and
owner policies; colocation halls take the copies' owners too. Grid projects, connection steps
and their dates are shared by the copies (one Solaseado substation, as in the data).

The national queue of competing loads is made `queue_split` times longer by splitting each
load into that many equal parts (same bus, date, status): the queue grows to 300+ entries
while the MW the grid carries stay those of sim/data/grid/competing_loads.csv.
Nothing here is a model input: it only stresses the code with a larger, same-shaped country.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "sim" / "data"
APEX = REPO / "scenarios" / "apex"

#: table -> (columns holding one owner id, one site id, a ';' list of owner ids)
KEYED = {
    "owners.csv": ("owner", None, None),
    "sites.csv": (None, "site", "owners"),
    "site_phases.csv": (None, "site", None),
    "site_connections.csv": (None, "site", None),
    "site_requests.csv": (None, "site", None),
    "site_assessments.csv": (None, "site", None),
    "grid/site_buses.csv": (None, "site", None),
    "plan.csv": ("owner", "site", None),
    "deliveries.csv": ("owner", None, None),
    "owner_policies.csv": ("owner", None, None),
}
#: ';' lists of owners, extended with every copy's owners (rows not copied)
EXTENDED = {"colocation_halls.csv": "eligible_owners"}


def _read(path: Path) -> tuple[str, list[str], list[dict]]:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    comments = "".join(ln for ln in lines if ln.startswith("#"))
    body = "".join(ln for ln in lines if not ln.startswith("#"))
    reader = csv.DictReader(io.StringIO(body))
    return comments, list(reader.fieldnames or []), list(reader)


def _write(path: Path, comments: str, fields: list[str], rows: list[dict]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(comments + out.getvalue(), encoding="utf-8")


def _id(value: str, i: int) -> str:
    return value if i == 0 or not value else f"{value}_c{i}"


def _owner_list(value: str, copies: range) -> str:
    if value.strip().lower() in ("", "true", "false"):    # sites.csv owners: flags
        return value
    return ";".join(_id(o, i) for i in copies for o in value.split(";"))


def copy_rows(rows: list[dict], keys: tuple, k: int) -> list[dict]:
    owner, site, owners = keys
    out = []
    for i in range(k):
        for row in rows:
            new = dict(row)
            if owner:
                new[owner] = _id(row[owner], i)
            if site:
                new[site] = _id(row[site], i)
            if owners:
                new[owners] = _owner_list(row[owners], range(i, i + 1))
            out.append(new)
    return out


def split_loads(rows: list[dict], parts: int) -> list[dict]:
    out = []
    for row in rows:
        for j in range(parts):
            new = dict(row, mw=repr(float(row["mw"]) / parts))
            new["load"] = row["load"] if j == 0 else f"{row['load']}_part{j}"
            out.append(new)
    return out


def build(root: Path, k: int, queue_split: int = 3) -> tuple[Path, Path]:
    """(data_dir, scenario_dir) of the k-times apex under `root`."""
    data, scenario = root / "data", root / "scenario"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(DATA, data)
    scenario.mkdir(parents=True)
    for name in ("plan.csv", "deliveries.csv", "owner_policies.csv"):
        shutil.copy(APEX / name, scenario / name)
    for name, keys in KEYED.items():
        path = (scenario if (scenario / name).exists() else data) / name
        comments, fields, rows = _read(path)
        _write(path, comments, fields, copy_rows(rows, keys, k))
    for name, column in EXTENDED.items():
        comments, fields, rows = _read(data / name)
        for row in rows:
            row[column] = _owner_list(row[column], range(k))
        _write(data / name, comments, fields, rows)
    loads = data / "grid" / "competing_loads.csv"
    comments, fields, rows = _read(loads)
    _write(loads, comments, fields, split_loads(rows, queue_split))
    return data, scenario
