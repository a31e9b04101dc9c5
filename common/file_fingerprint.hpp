#pragma once
// A short fingerprint of a file's bytes (64-bit FNV-1a, hex), recorded in a run's provenance so
// that `sgprs validate` can tell when an input changed after the run. Not a cryptographic hash:
// it guards against edits, not against forgery.
#include <string>

namespace sgprs {

/// "fnv1a64:<16 hex digits>" of the file's bytes; InputError(path, "", ...) when it cannot be read.
std::string file_fingerprint(const std::string& path);

}  // namespace sgprs
