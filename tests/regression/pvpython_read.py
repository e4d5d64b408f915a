"""Read a chemomech results file with ParaView and print what it holds, as JSON.

Run with ParaView's own interpreter (not the venv's Python)::

    pvpython tests/regression/pvpython_read.py results/fields.xdmf

The file is opened with ``paraview.simple.OpenDataFile``; for EVERY time value the reader
offers, the pipeline is updated at that time (a time series fetched without
``UpdatePipeline(t)`` looks empty) and the data is fetched to this process. Composite
outputs (the XDMF reader gives one block per ``Grid``) are walked leaf by leaf. Printed:

    {"file": ..., "reader": <ParaView reader name>, "times": [...],
     "steps": [{"time": t, "data_time": <time the data says it is at>,
                "blocks": [{"points": n, "cells": m}, ...],
                "point_data": {name: {"tuples": n, "components": k, "blocks": b,
                                      "min": ..., "max": ..., "mean": ...}},
                "cell_data": {...}}]}

min/max/mean are of component 0, over all blocks that carry the array; "tuples" is the
largest tuple count of the array in one block (= points or cells of that block).
The last line of stdout is the JSON document (ParaView may print banners before it).
"""

import json
import os
import sys

from paraview import servermanager, simple
from paraview.vtk import vtkDataObject

# ParaView VTK modules: the composite/data-set classes live here in 5.11.
from vtkmodules.vtkCommonDataModel import vtkCompositeDataSet, vtkDataSet

SKIP = ("vtkOriginalPointIds", "vtkOriginalCellIds", "vtkGhostType")


def leaves(data):
    """The vtkDataSet leaves of a (possibly composite) data object."""
    if data is None:
        return []
    if isinstance(data, vtkCompositeDataSet) or data.IsA("vtkCompositeDataSet"):
        out = []
        it = data.NewIterator()
        it.SkipEmptyNodesOn()
        it.InitTraversal()
        while not it.IsDoneWithTraversal():
            leaf = it.GetCurrentDataObject()
            if leaf is not None and leaf.IsA("vtkDataSet"):
                out.append(leaf)
            it.GoToNextItem()
        return out
    if isinstance(data, vtkDataSet) or data.IsA("vtkDataSet"):
        return [data]
    return []


def add_arrays(summary, field_data):
    for i in range(field_data.GetNumberOfArrays()):
        arr = field_data.GetAbstractArray(i)
        if arr is None or arr.GetName() in SKIP or not arr.IsA("vtkDataArray"):
            continue
        n = arr.GetNumberOfTuples()
        vals = [arr.GetComponent(j, 0) for j in range(n)]
        s = summary.setdefault(
            arr.GetName(),
            {"tuples": 0, "components": arr.GetNumberOfComponents(), "blocks": 0,
             "min": None, "max": None, "_sum": 0.0, "_n": 0},
        )
        s["tuples"] = max(s["tuples"], n)
        s["blocks"] += 1
        if n:
            lo, hi = min(vals), max(vals)
            s["min"] = lo if s["min"] is None else min(s["min"], lo)
            s["max"] = hi if s["max"] is None else max(s["max"], hi)
            s["_sum"] += sum(vals)
            s["_n"] += n


def finish(summary):
    for s in summary.values():
        s["mean"] = s["_sum"] / s["_n"] if s["_n"] else None
        del s["_sum"], s["_n"]
    return summary


def main(path):
    # absolute: the XDMF 3 reader resolves fields.h5 wrongly from a bare relative name
    path = os.path.abspath(path)
    reader = simple.OpenDataFile(path)
    if reader is None:
        raise SystemExit(f"ParaView found no reader for {path}")
    times = [float(t) for t in reader.TimestepValues] if reader.TimestepValues else []
    steps = []
    for t in times or [None]:
        if t is None:
            reader.UpdatePipeline()
        else:
            reader.UpdatePipeline(t)
        data = servermanager.Fetch(reader)
        info = data.GetInformation() if data is not None else None
        data_time = None
        if info is not None and info.Has(vtkDataObject.DATA_TIME_STEP()):
            data_time = float(info.Get(vtkDataObject.DATA_TIME_STEP()))
        point_data, cell_data, blocks = {}, {}, []
        for ds in leaves(data):
            blocks.append({"points": ds.GetNumberOfPoints(), "cells": ds.GetNumberOfCells()})
            add_arrays(point_data, ds.GetPointData())
            add_arrays(cell_data, ds.GetCellData())
        steps.append({
            "time": t,
            "data_time": data_time,
            "blocks": blocks,
            "point_data": finish(point_data),
            "cell_data": finish(cell_data),
        })
    doc = {
        "file": path,
        "reader": reader.GetXMLName(),
        "times": times,
        "steps": steps,
    }
    sys.stdout.write("\n" + json.dumps(doc) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: pvpython pvpython_read.py FILE")
    main(sys.argv[1])
