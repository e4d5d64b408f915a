"""comparison.md's Orderings table: each ordering's verdict as evaluated — holds, DOES NOT
HOLD, or not evaluated — from a hand-made comparison dict (no run, no evaluation)."""

from __future__ import annotations

from solver.compare.writers import markdown


def _ordering(name, holds, reported_holds):
    return {"name": name, "holds": holds, "details": f"details of {name}",
            "reported_holds": reported_holds, "reported_details": "", "at": "end"}


def _rows(text):
    lines = text.splitlines()
    start = lines.index("## Orderings")
    rows = {}
    for ln in lines[start + 1:]:
        if ln.startswith("## "):
            break
        if ln.startswith("| ") and not ln.startswith("| ordering"):
            cells = [c.strip() for c in ln.strip("|").split("|")]
            rows[cells[0]] = cells
    return rows


def test_each_ordering_row_shows_its_own_verdict():
    comparison = {
        "paper": "P", "baseline": "A", "reported": True, "quantities": {},
        "all_orderings_hold": False, "configurations": {},
        "orderings": [_ordering("yes", True, True), _ordering("no", False, None),
                      _ordering("open", None, False)],
    }
    rows = _rows(markdown(comparison))
    assert rows["yes"][1:3] == ["holds", "holds"]
    assert rows["no"][1:3] == ["**DOES NOT HOLD**", "—"]
    assert rows["open"][1:3] == ["not evaluated", "does not hold"]
    assert rows["open"][3].startswith("details of open")
