#include "tools/mpi/mpi_launch.hpp"

#include <cstdlib>
#include <string>

namespace sgprs::cli {

namespace {

std::optional<int> env_int(const char* name) {
  const char* text = std::getenv(name);
  if (!text || !*text) return std::nullopt;
  try {
    return std::stoi(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::optional<MpiLaunch> mpi_launch_from_environment() {
  const std::pair<const char*, const char*> pairs[] = {
      {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"}, {"PMIX_RANK", "SLURM_NTASKS"}, {"PMI_RANK", "PMI_SIZE"}};
  for (const auto& [rank_name, size_name] : pairs) {
    const std::optional<int> rank = env_int(rank_name);
    const std::optional<int> size = env_int(size_name);
    if (rank && size && *size >= 1 && *rank >= 0 && *rank < *size) return MpiLaunch{*rank, *size};
  }
  return std::nullopt;
}

}  // namespace sgprs::cli
