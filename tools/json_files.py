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
