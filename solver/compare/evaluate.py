"""Our values beside the reported ones, ratios to the baseline, and the orderings.

Orderings are strict: ``descending: [I, II]`` holds when I > II. An ordering that cannot be
evaluated (a configuration failed or was not selected, a value is missing) has
``holds: None`` and counts as not holding in ``all_orderings_hold``.
"""

from __future__ import annotations

import math

from solver.compare.reference import At, Ordering, Quantity, Reference, column_unit
from solver.compare.results import AtError, ConfigResult, convert

EVERY = "every_output_time"


def _fmt(v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{v:.4g}"


def our_value(q: Quantity, res: ConfigResult | None, at: At | None = None
              ) -> tuple[float | None, str]:
    """Our value of a quantity in its display unit, and why it is missing ('' if not)."""
    if res is None:
        return None, "not selected"
    if not res.ok:
        return None, f"run {res.status}" + (f": {res.error}" if res.error else "")
    try:
        v = res.value_at(q.column, at or q.at, q.magnitude)
    except AtError as exc:
        return None, str(exc)
    if v != v:
        return None, "not a number in history.csv"
    return convert(v, column_unit(q.column) or "-", q.display_unit), ""


def _ratio(v: float | None, base: float | None) -> float | None:
    if v is None or base is None or base == 0:
        return None
    return v / base


def quantity_table(ref: Reference, results: dict[str, ConfigResult]) -> dict:
    """``{key: {unit, at, column, description, source, values: {label: {...}}}}``."""
    out = {}
    for key, q in ref.quantities.items():
        need = ref.needed(key)
        ours = {}
        for lab in ref.configurations:
            res = results.get(lab)
            if q.configurations is not None and lab not in q.configurations:
                ours[lab] = (None, "not defined for this configuration")
            elif (lab not in need and res is not None and res.ok
                  and q.column not in res.columns):
                ours[lab] = (None, "not measured (the case writes no such column)")
            else:
                ours[lab] = our_value(q, res)
        base_ours = ours[ref.baseline][0]
        base_rep = q.reported.get(ref.baseline)
        values = {}
        for lab in ref.configurations:
            v, why = ours[lab]
            rep = q.reported.get(lab)
            values[lab] = {
                "ours": v,
                "reported": rep,
                "ours_ratio": _ratio(v, base_ours),
                "reported_ratio": _ratio(rep, base_rep),
                "ours_over_reported": _ratio(v, rep),
                "note": why,
                "required": lab in need,
            }
        out[key] = {"unit": q.display_unit, "at": str(q.at), "column": q.column,
                    "description": q.description, "source": q.source,
                    "magnitude": q.magnitude, "values": values}
    return out


# --------------------------------------------------------------------------------------------
# Orderings


def _common_output_times(labels: list[str], results: dict[str, ConfigResult]) -> list[float]:
    """Output times of these configurations' cases reached by every one of them."""
    times: set[float] = set()
    for lab in labels:
        times.update(results[lab].output_times)
    reach = min(results[lab].end_time for lab in labels)
    return sorted(t for t in times if t <= reach * (1 + 1e-9))


def _chain_check(labels: list[str], vals: dict[str, float], descending: bool
                 ) -> tuple[bool, str]:
    sign = ">" if descending else "<"
    parts, holds = [], True
    for a, b in zip(labels, labels[1:]):
        ok = vals[a] > vals[b] if descending else vals[a] < vals[b]
        holds &= ok
        parts.append(f"{a} {_fmt(vals[a])} {sign} {b} {_fmt(vals[b])} "
                     f"{'ok' if ok else 'FAILS'}")
    return holds, "; ".join(parts)


def evaluate_ordering(o: Ordering, ref: Reference, results: dict[str, ConfigResult]) -> dict:
    """``{name, holds, details, reported_holds, reported_details, at}`` for one ordering."""
    if o.chain is not None:
        labels = list(o.chain)
        qkeys = [o.quantity]
    else:
        labels = list(o.configurations or ref.configurations)
        qkeys = [o.greater, o.than]
    at = o.at
    # without an `at` of its own, each quantity is read at its own `at`: name each one
    ats = list(dict.fromkeys(str(ref.quantities[k].at) for k in qkeys))
    shown = (str(at) if at is not None else ats[0] if len(ats) == 1
             else "; ".join(f"{k} at {ref.quantities[k].at}" for k in qkeys))
    out = {"name": o.name, "holds": None, "details": "", "reported_holds": None,
           "reported_details": "", "at": shown}
    # the paper's own numbers, when it gives them all (a check of the reference file)
    out["reported_holds"], out["reported_details"] = _evaluate_reported(o, ref, labels)
    missing = [lab for lab in labels if lab not in results or not results[lab].ok]
    if missing:
        why = ", ".join(f"{lab} ({'not selected' if lab not in results else results[lab].status})"
                        for lab in missing)
        out["details"] = f"not evaluated: no results for {why}"
        return out
    if at is not None and at.kind == EVERY:
        times = _common_output_times(labels, results)
        if not times:
            out["details"] = ("not evaluated: no time.output_times reached by every "
                              "configuration")
            return out
        verdicts, failing = [], []
        for t in times:
            h, d = _ordering_at(o, ref, results, labels, At("time", t, f"time {t:g} s"))
            verdicts.append(h)
            if h is not True:
                failing.append(f"t = {t:.6g} s: {d}")
        if any(v is None for v in verdicts):
            out["holds"] = None
        else:
            out["holds"] = all(verdicts)
        out["details"] = (f"checked at {len(times)} output time(s) "
                          f"({', '.join(f'{t:.6g}' for t in times)} s)"
                          + ("; " + " | ".join(failing) if failing else "; holds at every one"))
        return out
    out["holds"], out["details"] = _ordering_at(o, ref, results, labels, at)
    return out


def _ordering_at(o: Ordering, ref: Reference, results: dict[str, ConfigResult],
                 labels: list[str], at: At | None) -> tuple[bool | None, str]:
    if o.chain is not None:
        q = ref.quantities[o.quantity]
        vals, why = {}, []
        for lab in labels:
            v, note = our_value(q, results[lab], at)
            if v is None:
                why.append(f"{lab}: {note}")
            vals[lab] = v
        if why:
            return None, "not evaluated: " + "; ".join(why)
        holds, details = _chain_check(labels, vals, o.descending is not None)
        return holds, f"{details} [{q.display_unit}]"
    qg, qt = ref.quantities[o.greater], ref.quantities[o.than]
    parts, holds = [], True
    for lab in labels:
        vg, ng = our_value(qg, results[lab], at)
        vt, nt = our_value(qt, results[lab], at)
        if vg is None or vt is None:
            return None, f"not evaluated: {lab}: {ng or nt}"
        # compare in the columns' unit (both quantities' columns have the same dimension)
        unit = qg.display_unit
        vt_same = convert(vt, qt.display_unit, unit)
        ok = vg > vt_same
        holds &= ok
        parts.append(f"{lab}: {o.greater} {_fmt(vg)} > {o.than} {_fmt(vt_same)} {unit} "
                     f"{'ok' if ok else 'FAILS'}")
    return holds, "; ".join(parts)


def _evaluate_reported(o: Ordering, ref: Reference, labels: list[str]
                       ) -> tuple[bool | None, str]:
    if o.chain is not None:
        q = ref.quantities[o.quantity]
        vals = {lab: q.reported.get(lab) for lab in labels}
        if any(v is None for v in vals.values()):
            return None, "not every value is reported"
        return _chain_check(labels, vals, o.descending is not None)
    qg, qt = ref.quantities[o.greater], ref.quantities[o.than]
    parts, holds = [], True
    for lab in labels:
        vg, vt = qg.reported.get(lab), qt.reported.get(lab)
        if vg is None or vt is None:
            return None, "not every value is reported"
        vt = convert(vt, qt.display_unit, qg.display_unit)
        holds &= vg > vt
        parts.append(f"{lab}: {_fmt(vg)} > {_fmt(vt)} {'ok' if vg > vt else 'FAILS'}")
    return holds, "; ".join(parts)


def evaluate(ref: Reference, results: dict[str, ConfigResult]) -> dict:
    """The comparison (without figures): quantities, orderings and the overall verdict."""
    orderings = [evaluate_ordering(o, ref, results) for o in ref.orderings]
    return {
        "paper": ref.paper,
        "reported": any(v is not None for q in ref.quantities.values()
                        for v in q.reported.values()),
        "baseline": ref.baseline,
        "quantities": quantity_table(ref, results),
        "orderings": orderings,
        "all_orderings_hold": all(o["holds"] is True for o in orderings),
    }
