#pragma once
// The readable table `sgprs simulate` prints: one row per task, one per
// partition, then the totals. Plain text, fixed-width columns, times in ms.
#include "simulator/outputs/summary.hpp"

#include <string>

namespace sgprs::sim {

std::string format_summary_table(const Summary& summary);

}  // namespace sgprs::sim
