#pragma once
// The hardware-queue limit, a swappable part of the simulated GPU: how many units run on the GPU
// at once, whatever their partitions. Live, each stream's work goes to the GPU through one of Q
// hardware queues (CUDA_DEVICE_MAX_CONNECTIONS, 32 at most; `sgprs live` asks for 32), and with
// many streams busy fewer graphs run at once than are launched: the rest wait, unstarted, while
// others run. Measured on the H100 in closed loops of the six shipped models on k whole-GPU
// streams (traces/live/h100-tf32-2026-12-06-queues, README), the mean number of graphs between
// their start and end events stops growing at about 0.58 Q however many more streams are busy
// (Q = 8: 4.6 of 6-16; Q = 16: 9.3 of 12-32; Q = 32: 18.9 of 24-32), in one green context or many;
// ResNet-18 alone stops at about 0.535 Q, on the H100 as on the H200 (4.3, 8.5 and 17.2).
// The simulated GPU runs at most
//
//     C(Q) = max(1, round(r(Q)))
//
// units at once. r(Q): the measured mean running at once of a saturated loop (more streams busy
// than ever run) at Q queues, from the sgprs.sharing/1 file's "running_limit"; linear between
// measured Q, and beyond the first or the last measured Q in proportion to Q (r(Q1) Q / Q1).
// A unit that would be unit C + 1 waits, unstarted and holding its slot, first come first
// started, until a running unit ends (sim/simulated_platform.hpp). A file without
// "running_limit" gives no limit.
//
// What the limit leaves out: live, the number running at once varies around its mean (at Q = 32
// between 17 and 21 most of the time), and which launched graph starts next is not measured to be
// first come first started.
#include <string>
#include <utility>
#include <vector>

namespace sgprs {
class JsonView;
}

namespace sgprs::sim {

class RunningLimit {
 public:
  /// No limit: units(q) is 0 (none) for every q.
  RunningLimit() = default;
  /// (queues, mean units running at once) points, queues ascending from 1, running in
  /// (0, queues * 2]; std::invalid_argument otherwise.
  explicit RunningLimit(std::vector<std::pair<int, double>> points);
  /// The "running_limit" of an sgprs.sharing/1 document (none: no limit); InputError naming the
  /// file and field when it is malformed.
  static RunningLimit from_json(const JsonView& root);
  bool active() const { return !points_.empty(); }
  /// C(queues) above; 0 (no limit) without points. std::invalid_argument for queues < 1.
  int units(int queues) const;
  const std::vector<std::pair<int, double>>& points() const { return points_; }

 private:
  std::vector<std::pair<int, double>> points_;
};

/// The hardware queues a live run had, from its notes ("CUDA_DEVICE_MAX_CONNECTIONS=N", as
/// `sgprs live` writes them; "default" is the driver's 8, and more than 32 is the driver's 32);
/// 0 when the notes do not say.
int hardware_queues_in_notes(const std::string& notes);

}  // namespace sgprs::sim
