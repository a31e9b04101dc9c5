#pragma once
// The wall-clock instant a measurement was made, for provenance.
#include <string>

namespace sgprs::profiler {

/// Now in UTC as ISO 8601 to the second ("2026-12-06T20:30:00Z").
std::string utc_now_iso8601();

}  // namespace sgprs::profiler
