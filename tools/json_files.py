"""Reading the project's JSON documents (plain, .gz or .xz) in the tools, with one-line errors."""
import gzip
import json
import lzma


def load_document(path, schema, fail):
    """The document at `path`; `fail(message)` (which must not return) when it cannot be read or its
    `schema` field is not `schema` (None: any JSON)."""
    opener = gzip.open if path.endswith(".gz") else lzma.open if path.endswith(".xz") else open
    try:
        with opener(path, "rt") as f:
            doc = json.load(f)
    except (OSError, ValueError, lzma.LZMAError) as e:
        fail(f"{path}: cannot be read as JSON ({e})")
    if schema and (not isinstance(doc, dict) or doc.get("schema") != schema):
        fail(f"{path}: field 'schema': expected {schema}")
    return doc


def read_json_lines(path, fail):
    """Every line of a JSON-lines file (plain or .xz) as a parsed value, blank lines skipped;
    `fail(message)` when it cannot be read."""
    opener = lzma.open if path.endswith(".xz") else open
    try:
        with opener(path, "rt") as f:
            return [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError, lzma.LZMAError) as e:
        fail(f"{path}: cannot be read as JSON lines ({e})")


def write_json(path, doc):
    """`doc` as indented JSON at `path` (a tool's --json summary)."""
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
