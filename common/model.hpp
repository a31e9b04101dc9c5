#pragma once
// A DNN model as the scheduler sees it: a DAG of stages (groups of consecutive
// layers), plus, for the profiler, the layer graph that the stages cut up.
// Schema "sgprs.model/1":
//   { "schema": "sgprs.model/1", "name": "resnet18", "description": "...",
//     "input": {"shape": [3, 224, 224]},                 // per-sample shape (profiler)
//     "layers": [ {"name": "conv1", "op": "conv2d", "inputs": ["input"], ...op attributes...}, ... ],
//     "stages": [ {"name": "stem", "layers": ["conv1", ...]},
//                 {"name": "layer1", "after": ["stem"], "layers": [...]}, ... ] }
// "after" lists predecessor stages by name; when absent a stage follows the one
// before it in the file (a chain), and the first stage has none. "layers" is
// optional for simulation-only models. Validation uses Boost.Graph: unknown
// names, duplicate names and cycles are InputErrors naming file and field.
#include "common/json_io.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sgprs {

struct Layer {
  std::string name;
  std::string op;                   // operation kind, e.g. "conv2d", "linear", "add"
  std::vector<std::string> inputs;  // earlier layer names or "input"
  JsonValue attrs;                  // the whole layer object, for the profiler's op builders
};

struct Stage {
  std::string name;
  std::vector<std::size_t> predecessors;  // indices into Model::stages()
  std::vector<std::size_t> successors;
  std::vector<std::string> layers;
};

class Model {
 public:
  static Model load(const std::string& path);
  static Model from_json(const Json& doc, const std::string& source);

  const std::string& name() const { return name_; }
  const std::string& description() const { return description_; }
  /// Stages in a topological order (file order when the file is already one).
  const std::vector<Stage>& stages() const { return stages_; }
  const std::vector<Layer>& layers() const { return layers_; }
  const Json& input() const { return *input_; }
  /// Index of a stage by name, or npos.
  std::size_t find_stage(std::string_view name) const;
  /// Stages without successors: a job finishes when all of them have.
  std::vector<std::size_t> sink_stages() const;
  bool is_chain() const;
  /// A lane per stage such that two stages that may run at the same time (neither reaches the
  /// other through the DAG: parallel branches) never share a lane, while ordered stages do as far
  /// as they can: the smallest lane no earlier incomparable stage holds, stages in topological
  /// order. A chain is all lane 0. Whatever one job keeps per running stage (a library
  /// workspace) needs one copy per lane.
  std::vector<int> concurrency_lanes() const;

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

 private:
  std::string name_;
  std::string description_;
  JsonValue input_;
  std::vector<Layer> layers_;
  std::vector<Stage> stages_;
};

}  // namespace sgprs
