#pragma once
// The limits every input is checked against when it is read, before any work starts, so that no
// later step meets a time whose arithmetic overflows int64 nanoseconds or a size whose work runs
// for hours unannounced. Each limit is far above any real use; docs/formats.md lists them.
// Why these values hold the arithmetic: a release instant is offset + k x period with the
// previous release below the run's duration, so it stays under 2 x kMaxTimeNs; a deadline adds
// at most kMaxTimeNs more; a model's summed stage times, even scaled down to 1 SM (x kMaxSmCount),
// stay under kMaxStages x kMaxSmCount x kMaxStageTimeNs = 4.4e17 ns; all far below 9.2e18.
#include "common/json_io.hpp"
#include "common/time.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sgprs {

struct Task;

namespace limits {

inline constexpr std::size_t kMaxFileBytes = 256u << 20;  // one input file (256 MiB)
inline constexpr int kMaxJsonDepth = 64;                  // nested arrays and objects in a file
inline constexpr std::size_t kMaxNameBytes = 200;         // task, model, stage, partition, experiment names
inline constexpr Ns kMaxTimeNs = 1'000'000 * kNsPerSecond;  // periods, deadlines, offsets, durations: 1e6 s
inline constexpr Ns kMaxStageTimeNs = 100 * kNsPerSecond;   // one measured stage or op time: 100 s
inline constexpr int kMaxSmCount = 4096;                  // SMs of a GPU
inline constexpr std::size_t kMaxPartitions = 1024;       // partitions of a layout
inline constexpr int kMaxParallel = 1024;                 // stages a partition runs at once
inline constexpr std::size_t kMaxStages = 1024;           // stages of a model
inline constexpr std::size_t kMaxLayers = 100'000;        // layers of a model
inline constexpr std::size_t kMaxModels = 10'000;         // models in a profile
inline constexpr std::int64_t kMaxTasks = 1'000'000;      // tasks of one run, copies included
inline constexpr std::int64_t kMaxJobs = 100'000'000;     // jobs one run releases (duration x rates)
inline constexpr int kMaxRandomTasks = 5'000;             // "tasks" of the random generator (randfixedsum is n^2)
inline constexpr int kMaxRepetitions = 10'000;            // repetitions of a sweep
inline constexpr std::size_t kMaxLoads = 10'000;          // loads of a sweep
inline constexpr std::size_t kMaxSweepRuns = 1'000'000;   // layouts x schedulers x loads x repetitions
inline constexpr std::int64_t kMaxSweepTasks = 10'000'000;  // tasks drawn over a sweep's loads and repetitions

/// InputError on `field` when `value` is over kMaxTimeNs.
void check_time(const JsonView& node, std::string_view field, Ns value);
/// InputError on `field` when `value` is not in 1..kMaxStageTimeNs.
void check_stage_time(const JsonView& node, std::string_view field, Ns value);
/// InputError on `field` when a name is longer than kMaxNameBytes or holds control characters.
void check_name(const JsonView& node, std::string_view field, const std::string& name);
/// check_name, and the name must be usable as "<name>.json" in a folder (models are found that way).
void check_file_name(const JsonView& node, std::string_view field, const std::string& name);
/// InputError on `field` when an array or list has more than `limit` entries.
void check_count(const JsonView& node, std::string_view field, std::size_t count, std::size_t limit);

/// Jobs `tasks` release in [0, duration_ns), saturating at kMaxJobs + 1.
std::int64_t jobs_released(const std::vector<Task>& tasks, Ns duration_ns);

/// InputError (source, field) "... is over the limit of N ..." when `tasks` has more than kMaxTasks
/// tasks or would release more than kMaxJobs jobs in `duration_ns`.
void check_run_size(const std::vector<Task>& tasks, Ns duration_ns, const std::string& source,
                    const std::string& field);

}  // namespace limits
}  // namespace sgprs
