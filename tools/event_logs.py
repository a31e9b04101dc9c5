"""Reading a run's event log (`events.jsonl`, docs/formats.md) in the tools, with one-line errors."""
import os

from json_files import read_json_lines

EVENTS_SCHEMA = "sgprs.events/1"


def read_event_log(path, fail):
    """(header, [(line number, event)]) of an events.jsonl, plain or .xz; `fail(message)` (which must not
    return) when it cannot be read or its first line is not an sgprs.events/1 header."""
    lines = read_json_lines(path, fail)
    if not lines or not isinstance(lines[0], dict) or lines[0].get("schema") != EVENTS_SCHEMA:
        fail(f"{path}: line 1: field 'schema': expected {EVENTS_SCHEMA}")
    return lines[0], [(number, event) for number, event in enumerate(lines[1:], start=2) if isinstance(event, dict)]


def read_run_events(run, fail):
    """(path, [(line number, event)]) of a live run folder's events.jsonl; `fail` when the folder has none."""
    path = os.path.join(run, "events.jsonl")
    if not os.path.isfile(path):
        fail(f"{run}: no events.jsonl (not a live run folder)")
    return path, read_event_log(path, fail)[1]


def finish_times(event, fields, where, fail):
    """The integers `fields` of a finish event, in order; `fail` naming `where` when one is missing."""
    values = [event.get(f) for f in fields]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        fail(f"{where}: a finish event without integer {', '.join(fields[:-1])} and {fields[-1]}")
    return values
