#pragma once
// Whether this process was started by an MPI launcher (mpirun, mpiexec, srun), read
// from the variables the launchers set, so `sgprs` stays one program: under
// `mpirun -n K sgprs sweep ...` it distributes the sweep, run alone it does not.
#include <optional>

namespace sgprs::cli {

struct MpiLaunch {
  int rank = 0;
  int size = 1;
};

/// The rank and size from OpenMPI's OMPI_COMM_WORLD_RANK/SIZE, else PMIx's PMIX_RANK with
/// OMPI's or Slurm's size, else MPICH's and Slurm's PMI_RANK/PMI_SIZE; nullopt when none is set.
std::optional<MpiLaunch> mpi_launch_from_environment();

}  // namespace sgprs::cli
