#include "common/model.hpp"

#include "common/errors.hpp"
#include "common/limits.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/topological_sort.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace sgprs {

namespace {

struct RawStage {
  std::string name;
  std::vector<std::string> after;
  std::vector<std::string> layers;
  std::string path;  // JSON path of this stage, for errors
};

std::vector<Layer> read_layers(const JsonView& root) {
  std::vector<Layer> layers;
  std::unordered_set<std::string> seen{"input"};
  const std::vector<JsonView> nodes = root.array_or_empty("layers");
  limits::check_count(root, "layers", nodes.size(), limits::kMaxLayers);
  for (const JsonView& node : nodes) {
    Layer layer;
    layer.name = node.get<std::string>("name");
    limits::check_name(node, "name", layer.name);
    layer.op = node.get<std::string>("op");
    layer.inputs = node.get_or<std::vector<std::string>>("inputs", {});
    if (layer.name.empty()) node.fail("name", "must not be empty");
    if (!seen.insert(layer.name).second) node.fail("name", "duplicate layer name '" + layer.name + "'");
    for (std::size_t i = 0; i < layer.inputs.size(); ++i)
      if (!seen.contains(layer.inputs[i]))
        node.fail("inputs[" + std::to_string(i) + "]",
                  "'" + layer.inputs[i] + "' is not 'input' or an earlier layer");
    layer.attrs = node.raw();
    layers.push_back(std::move(layer));
  }
  return layers;
}

}  // namespace

Model Model::load(const std::string& path) { return from_json(load_json_document(path, "sgprs.model", 1), path); }

Model Model::from_json(const Json& doc, const std::string& source) {
  check_schema(doc, source, "sgprs.model", 1);
  const JsonView root(doc, source);
  Model model;
  model.name_ = root.get<std::string>("name");
  if (model.name_.empty()) root.fail("name", "must not be empty");
  limits::check_name(root, "name", model.name_);
  model.description_ = root.get_or<std::string>("description", "");
  if (root.has("input")) model.input_ = root.object("input").raw();
  model.layers_ = read_layers(root);

  root.expect_only({"name", "input", "layers", "stages"});
  const std::vector<JsonView> stage_nodes = root.array("stages");
  if (stage_nodes.empty()) root.fail("stages", "must list at least one stage");
  limits::check_count(root, "stages", stage_nodes.size(), limits::kMaxStages);
  std::vector<RawStage> raw;
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < stage_nodes.size(); ++i) {
    const JsonView& node = stage_nodes[i];
    node.expect_only({"name", "after", "layers"});
    RawStage stage{node.get<std::string>("name"), {}, node.get_or<std::vector<std::string>>("layers", {}), node.path()};
    if (stage.name.empty()) node.fail("name", "must not be empty");
    limits::check_name(node, "name", stage.name);
    if (!index.emplace(stage.name, i).second) node.fail("name", "duplicate stage name '" + stage.name + "'");
    if (node.has("after")) stage.after = node.get<std::vector<std::string>>("after");
    else if (i > 0) stage.after = {stage_nodes[i - 1].get<std::string>("name")};
    raw.push_back(std::move(stage));
  }

  // Every layer belongs to exactly one stage when the model has layers.
  if (!model.layers_.empty()) {
    std::unordered_map<std::string, std::string> owner;
    for (const Layer& layer : model.layers_) owner.emplace(layer.name, "");
    for (std::size_t i = 0; i < raw.size(); ++i) {
      for (std::size_t k = 0; k < raw[i].layers.size(); ++k) {
        const std::string& lname = raw[i].layers[k];
        auto it = owner.find(lname);
        const std::string field = "layers[" + std::to_string(k) + "]";
        if (it == owner.end()) stage_nodes[i].fail(field, "unknown layer '" + lname + "'");
        if (!it->second.empty())
          stage_nodes[i].fail(field, "layer '" + lname + "' is already in stage '" + it->second + "'");
        it->second = raw[i].name;
      }
    }
    for (const auto& [lname, stage] : owner)
      if (stage.empty()) root.fail("stages", "layer '" + lname + "' belongs to no stage");
  }

  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  Graph graph(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    for (std::size_t k = 0; k < raw[i].after.size(); ++k) {
      auto it = index.find(raw[i].after[k]);
      if (it == index.end())
        stage_nodes[i].fail("after[" + std::to_string(k) + "]", "unknown stage '" + raw[i].after[k] + "'");
      if (it->second == i) stage_nodes[i].fail("after[" + std::to_string(k) + "]", "a stage cannot follow itself");
      boost::add_edge(it->second, i, graph);
    }
  }
  std::vector<std::size_t> reverse_order;
  try {
    boost::topological_sort(graph, std::back_inserter(reverse_order));
  } catch (const boost::not_a_dag&) {
    root.fail("stages", "the stage graph has a cycle (check the 'after' lists)");
  }
  // Prefer file order when it is already topological, so indices match the file.
  std::vector<std::size_t> order(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) order[i] = i;
  std::vector<std::size_t> position(raw.size());
  bool file_order_ok = true;
  for (std::size_t i = 0; i < raw.size(); ++i)
    for (const std::string& pred : raw[i].after)
      if (index.at(pred) > i) file_order_ok = false;
  if (!file_order_ok) order.assign(reverse_order.rbegin(), reverse_order.rend());
  for (std::size_t pos = 0; pos < order.size(); ++pos) position[order[pos]] = pos;

  model.stages_.resize(raw.size());
  for (std::size_t pos = 0; pos < order.size(); ++pos) {
    const RawStage& r = raw[order[pos]];
    Stage& stage = model.stages_[pos];
    stage.name = r.name;
    stage.layers = r.layers;
    for (const std::string& pred : r.after) stage.predecessors.push_back(position[index.at(pred)]);
    std::sort(stage.predecessors.begin(), stage.predecessors.end());
    stage.predecessors.erase(std::unique(stage.predecessors.begin(), stage.predecessors.end()),
                             stage.predecessors.end());
  }
  for (std::size_t s = 0; s < model.stages_.size(); ++s)
    for (std::size_t p : model.stages_[s].predecessors) model.stages_[p].successors.push_back(s);
  return model;
}

std::size_t Model::find_stage(std::string_view name) const {
  for (std::size_t i = 0; i < stages_.size(); ++i)
    if (stages_[i].name == name) return i;
  return npos;
}

std::vector<std::size_t> Model::sink_stages() const {
  std::vector<std::size_t> sinks;
  for (std::size_t i = 0; i < stages_.size(); ++i)
    if (stages_[i].successors.empty()) sinks.push_back(i);
  return sinks;
}

bool Model::is_chain() const {
  for (std::size_t i = 0; i < stages_.size(); ++i) {
    const auto& preds = stages_[i].predecessors;
    if (i == 0 ? !preds.empty() : (preds.size() != 1 || preds[0] != i - 1)) return false;
  }
  return true;
}

std::vector<int> Model::concurrency_lanes() const {
  const std::size_t n = stages_.size();
  // reaches[i][j]: stage j is reachable from stage i (stages are in a topological order, so a
  // successor's row is complete before its predecessors read it).
  std::vector<std::vector<char>> reaches(n, std::vector<char>(n, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t next : stages_[i].successors) {
      reaches[i][next] = 1;
      for (std::size_t j = 0; j < n; ++j) reaches[i][j] = reaches[i][j] || reaches[next][j];
    }
  std::vector<int> lane(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<char> taken(n, 0);
    for (std::size_t j = 0; j < i; ++j)
      if (!reaches[i][j] && !reaches[j][i]) taken[static_cast<std::size_t>(lane[j])] = 1;
    while (taken[static_cast<std::size_t>(lane[i])]) ++lane[i];
  }
  return lane;
}

}  // namespace sgprs
