// This build found no MPI library (Debian: libopenmpi-dev openmpi-bin, then reconfigure).
#include "common/errors.hpp"
#include "tools/mpi/mpi_sweep.hpp"

namespace sgprs::cli {

bool mpi_built() { return false; }

std::optional<exp::SweepResult> run_mpi_sweep(const exp::PreparedExperiment&, exp::SweepOptions,
                                              const exp::RunFunction&, const exp::RunSignature&) {
  throw NotAvailableError(
      "this sgprs was built without MPI, so it cannot share a sweep between the ranks of mpirun (install "
      "libopenmpi-dev and openmpi-bin, then reconfigure); run it without mpirun, or use --shard I/N");
}

}  // namespace sgprs::cli
