#pragma once
// `mpirun -n K sgprs sweep ...`: one sweep computed by K processes. Rank 0 does what a
// single-process sweep does (resume, runs.csv written as rows arrive, summary, sweep.json)
// and hands the runs out one at a time to whichever rank asks next, so fast and slow ranks
// finish together; ranks 1..K-1 only simulate the runs they are sent. Each rank computes one
// run at a time (start one rank per core); rank 0 also computes on `--jobs` threads (default
// 1) beside its dispatcher. The outputs are those of a single-process sweep, byte for byte
// (a run's result depends on its key only), but for sweep.json's execution fields.
//
// Ranks exchange results as raw bytes: every rank must run the same build on the same kind
// of machine. A rank that dies ends the job (mpirun's rule); rank 0 then says so in one
// line, and `--resume` finishes the sweep from the rows already in DIR/runs.csv.
#include "simulator/experiments/sweep_runner.hpp"

#include <optional>

namespace sgprs::cli {

/// Whether this build has MPI (else run_mpi_sweep throws NotAvailableError).
bool mpi_built();

/// Runs the sweep on every rank of MPI_COMM_WORLD (initialises and finalises MPI). Returns the
/// result on rank 0, nullopt on the others. `options.jobs` is rank 0's compute threads (0 = 1).
std::optional<exp::SweepResult> run_mpi_sweep(const exp::PreparedExperiment& prep, exp::SweepOptions options,
                                              const exp::RunFunction& run, const exp::RunSignature& signature);

}  // namespace sgprs::cli
