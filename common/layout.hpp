#pragma once
// A partition layout: the pool of partitions the GPU's SMs are split into
// before the first job (schema "sgprs.layout/1"), and how many stages each may
// run at once.
//   { "schema": "sgprs.layout/1", "name": "mine", "max_parallel": 3,
//     "partitions": [ {"name": "p0", "sms": 64},               // any multiple of piece_sms, or the whole GPU
//                     {"name": "p1", "pieces": [8, 9, 10]} ] }  // or explicit piece indices (overlap allowed)
// Pieces: green contexts cut the GPU into `pieces` pieces of `piece_sms` SMs and
// a remainder (H100: 15 x 8 + 12); piece index `pieces` is the remainder. A
// partition holds k pieces, optionally the remainder, or the whole GPU.
// Partitions given by size take consecutive pieces after the previous
// partition's, wrapping round to piece 0 when the sizes add up to more than the
// pieces (oversubscription: those SMs are shared).
// Shorthands (parse_layout):
//   full          one partition with the whole GPU
//   pieces        one partition per green-context piece, the remainder joined to the last (H200:
//                 14 x 8 + 20), disjoint: the finest split the GPU builds and runs
//   equal:N:B     N partitions of B x sm_count / N SMs each       (B = 1.0x, 1.5x, 2.0x, ...)
//   stepwise:N:B  partition i (1-based) gets i x B x sm_count / (N(N+1)/2) SMs (1:2, 1:2:3, smallest first)
// Budgets up to 1.0x split the GPU once, disjointly: the remainder joins the
// partition with the largest target and the pieces are shared out in proportion
// (largest remainders), so equal:2:1.0x on the H100 is 64 + 68 SMs. Above 1.0x
// each size is rounded to the nearest multiple of piece_sms (ties upwards, at
// least one piece; past the largest multiple, the whole GPU if that is nearer).
#include "common/json_io.hpp"
#include "common/profile.hpp"

#include <string>
#include <vector>

namespace sgprs {

struct Partition {
  std::string name;
  int sms = 0;              // SMs this partition may use
  std::vector<int> pieces;  // piece indices; index gpu.pieces is the remainder
  // Weight of each running stage in the simulated GPU's sharing of SMs this partition shares with
  // others (sim/processor_sharing.hpp); 1 for every layout read or parsed. A policy that models
  // stream priorities (the `streams` baseline) raises it for its high-priority streams.
  double share_weight = 1.0;
};

struct Layout {
  std::string name;
  std::vector<Partition> partitions;
  int max_parallel = 1;  // stages a partition runs at once (paper: 3 with 2 partitions, 2 with 3)

  /// Sum of partition SMs over the GPU's SMs (1.0 = the whole GPU once).
  double budget(const GpuShape& gpu) const;
  /// SMs that belong to more than one partition.
  int shared_sms(const GpuShape& gpu) const;
  Json to_json() const;
};

/// The `pieces` shorthand: every piece a partition of its own, the remainder with the last piece.
Layout pieces_layout(const GpuShape& gpu, int max_parallel = 0);

/// The paper's rule for max_parallel, named: 6 slots in all, ceil(6 / N) per partition.
int default_max_parallel(std::size_t partitions);

/// `spec` is a shorthand above or a path to a layout file. `max_parallel` > 0
/// overrides the layout's value. Errors name `source` (e.g. "--layout") and
/// the field; a layout the GPU cannot build is an InputError.
Layout parse_layout(const std::string& spec, const GpuShape& gpu, int max_parallel = 0,
                    const std::string& source = "--layout");
Layout layout_from_json(const Json& doc, const std::string& source, const GpuShape& gpu);
/// CUDA stream priorities for the partitions' streams, from their share weights: partitions
/// of the lowest weight keep `least` (CUDA's default, 0), each higher distinct weight is one
/// level more urgent, down to `greatest` (CUDA: lower is more urgent; both from
/// cudaDeviceGetStreamPriorityRange). Equal weights: every partition gets `least`.
std::vector<int> stream_priorities(const Layout& layout, int least, int greatest);
/// Partition sizes to a Layout with pieces assigned as described above.
Layout layout_from_sizes(std::string name, const std::vector<int>& sizes, const GpuShape& gpu, int max_parallel);

}  // namespace sgprs
