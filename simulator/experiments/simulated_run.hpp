#pragma once
// The sweep's run function backed by the simulator: one sim::simulate() per
// run, each with its own engine (simulate is thread-safe across calls).
#include "simulator/experiments/experiment.hpp"
#include "simulator/experiments/sweep_runner.hpp"

#include <string>
#include <vector>

namespace sgprs::exp {

/// Builds every task set's workload and every scheduler's options now, so a
/// missing model file or a bad option is an InputError before any run starts.
/// `prep` must outlive the returned function.
RunFunction make_simulated_run(const PreparedExperiment& prep);

/// Equal for two runs exactly when the simulator sees the same inputs: the
/// scheduler entry, the task set, and the partition pool the scheduler builds
/// from the layout (naive and sequential replace the layout's sizes, so their
/// runs coincide across layouts with the same partition count).
RunSignature make_simulated_signature(const PreparedExperiment& prep);

/// The scheduler names the simulator registers.
std::vector<std::string> simulator_scheduler_names();

}  // namespace sgprs::exp
