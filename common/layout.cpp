#include "common/layout.hpp"

#include "common/errors.hpp"
#include "common/limits.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

namespace sgprs {

namespace {

int largest_piece_partition(const GpuShape& gpu) { return gpu.pieces * gpu.piece_sms; }

// A size that is not a multiple of the piece size but is one plus the remainder
// is built from pieces and the remainder (H100: 68 = 7 x 8 + 12).
bool takes_remainder(int sms, const GpuShape& gpu) {
  return gpu.remainder_sms > 0 && sms % gpu.piece_sms != 0 && sms >= gpu.remainder_sms &&
         (sms - gpu.remainder_sms) % gpu.piece_sms == 0 && sms - gpu.remainder_sms <= largest_piece_partition(gpu);
}

bool buildable(int sms, const GpuShape& gpu) {
  if (sms == gpu.sm_count) return true;
  if (sms <= 0) return false;
  if (sms % gpu.piece_sms == 0) return sms <= largest_piece_partition(gpu);
  return takes_remainder(sms, gpu);
}

// Budgets up to 1.0x split the GPU once, without sharing: the remainder goes to
// the partition with the largest target, then the pieces are shared out in
// proportion to the targets by largest remainders (Hamilton's method), each
// partition at least one piece.
std::vector<int> disjoint_sizes(const std::vector<double>& targets, const GpuShape& gpu) {
  const std::size_t n = targets.size();
  std::vector<double> adjusted = targets;
  std::size_t remainder_owner = n;
  if (gpu.remainder_sms > 0) {
    remainder_owner = 0;
    for (std::size_t i = 1; i < n; ++i)
      if (targets[i] >= targets[remainder_owner]) remainder_owner = i;
    adjusted[remainder_owner] = std::max(0.0, adjusted[remainder_owner] - gpu.remainder_sms);
  }
  double total = 0;
  for (double t : adjusted) total += t;
  const int pieces_to_give = std::clamp(static_cast<int>(std::floor(total / gpu.piece_sms + 0.5)),
                                        static_cast<int>(n), gpu.pieces);
  std::vector<int> count(n);
  std::vector<double> fraction(n);
  int given = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double quota = total > 0 ? adjusted[i] / total * pieces_to_give : 0;
    count[i] = std::max(1, static_cast<int>(std::floor(quota)));
    fraction[i] = quota - std::floor(quota);
    given += count[i];
  }
  while (given < pieces_to_give) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < n; ++i)
      if (fraction[i] > fraction[best]) best = i;
    ++count[best];
    fraction[best] = -1;
    ++given;
  }
  while (given > pieces_to_give) {  // the at-least-one rule overshot: take from the largest
    std::size_t largest = 0;
    for (std::size_t i = 1; i < n; ++i)
      if (count[i] >= count[largest]) largest = i;
    --count[largest];
    --given;
  }
  std::vector<int> sizes(n);
  for (std::size_t i = 0; i < n; ++i)
    sizes[i] = count[i] * gpu.piece_sms + (i == remainder_owner ? gpu.remainder_sms : 0);
  return sizes;
}

int round_to_pieces(double target, const GpuShape& gpu) {
  if (target >= gpu.sm_count) return gpu.sm_count;
  const double pieces = std::floor(target / gpu.piece_sms + 0.5);
  const int sms = std::max(1, static_cast<int>(pieces)) * gpu.piece_sms;
  if (sms > largest_piece_partition(gpu)) {
    // Between the largest piece multiple and the whole GPU: the nearer one.
    const int below = largest_piece_partition(gpu);
    return (target - below < gpu.sm_count - target) ? below : gpu.sm_count;
  }
  return sms;
}

double parse_budget(std::string text, const std::string& source) {
  if (!text.empty() && (text.back() == 'x' || text.back() == 'X')) text.pop_back();
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !(value > 0) || value > 16)
    throw InputError(source, "", "budget '" + text + "' must be a positive number such as 1.0x, 1.5x or 2.0x");
  return value;
}

int parse_count(const std::string& text, const std::string& source) {
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value <= 0)
    throw InputError(source, "", "partition count '" + text + "' must be a positive integer");
  return value;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t pos; (pos = text.find(sep, start)) != std::string::npos; start = pos + 1)
    parts.push_back(text.substr(start, pos - start));
  parts.push_back(text.substr(start));
  return parts;
}

std::string budget_label(double budget) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fx", budget);
  return buf;
}

}  // namespace

int default_max_parallel(std::size_t partitions) {
  return static_cast<int>((6 + partitions - 1) / std::max<std::size_t>(partitions, 1));
}

double Layout::budget(const GpuShape& gpu) const {
  int total = 0;
  for (const Partition& p : partitions) total += p.sms;
  return static_cast<double>(total) / gpu.sm_count;
}

int Layout::shared_sms(const GpuShape& gpu) const {
  std::vector<int> users(static_cast<std::size_t>(gpu.pieces) + 1, 0);
  for (const Partition& p : partitions)
    for (int piece : p.pieces) ++users[static_cast<std::size_t>(piece)];
  int shared = 0;
  for (int i = 0; i <= gpu.pieces; ++i)
    if (users[static_cast<std::size_t>(i)] > 1) shared += (i == gpu.pieces) ? gpu.remainder_sms : gpu.piece_sms;
  return shared;
}

Json Layout::to_json() const {
  Json doc{{"schema", schema_tag("sgprs.layout", 1)}, {"name", name}, {"max_parallel", max_parallel},
           {"partitions", Json::array()}};
  for (const Partition& p : partitions)
    doc["partitions"].push_back({{"name", p.name}, {"sms", p.sms}, {"pieces", p.pieces}});
  return doc;
}

Layout layout_from_sizes(std::string name, const std::vector<int>& sizes, const GpuShape& gpu, int max_parallel) {
  Layout layout;
  layout.name = std::move(name);
  layout.max_parallel = max_parallel > 0 ? max_parallel : default_max_parallel(sizes.size());
  int next_piece = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    Partition p;
    p.name = "p" + std::to_string(i);
    p.sms = sizes[i];
    if (sizes[i] == gpu.sm_count) {
      for (int k = 0; k <= gpu.pieces; ++k) p.pieces.push_back(k);
      if (gpu.remainder_sms == 0) p.pieces.pop_back();
    } else {
      const bool with_remainder = takes_remainder(sizes[i], gpu);
      if (with_remainder) p.pieces.push_back(gpu.pieces);
      const int count = (sizes[i] - (with_remainder ? gpu.remainder_sms : 0)) / gpu.piece_sms;
      for (int k = 0; k < count; ++k) p.pieces.push_back((next_piece + k) % gpu.pieces);
      next_piece = (next_piece + count) % gpu.pieces;
      std::sort(p.pieces.begin(), p.pieces.end());
    }
    layout.partitions.push_back(std::move(p));
  }
  return layout;
}

Layout pieces_layout(const GpuShape& gpu, int max_parallel) {
  Layout layout;
  layout.name = "pieces";
  layout.max_parallel = max_parallel > 0 ? max_parallel : default_max_parallel(static_cast<std::size_t>(gpu.pieces));
  for (int k = 0; k < gpu.pieces; ++k) {
    Partition p;
    p.name = "p" + std::to_string(k);
    p.sms = gpu.piece_sms;
    p.pieces = {k};
    layout.partitions.push_back(std::move(p));
  }
  // The remainder joins the last piece: alone (12 SMs on the H200) cuDNN's convolutions failed to
  // execute on it (CUDNN_STATUS_EXECUTION_FAILED, traces/live/h200-tf32-2026-12-03-pieces/README.md).
  if (gpu.remainder_sms > 0 && !layout.partitions.empty()) {
    layout.partitions.back().sms += gpu.remainder_sms;
    layout.partitions.back().pieces.push_back(gpu.pieces);
  }
  return layout;
}

Layout layout_from_json(const Json& doc, const std::string& source, const GpuShape& gpu) {
  check_schema(doc, source, "sgprs.layout", 1);
  const JsonView root(doc, source);
  root.expect_only({"name", "partitions", "max_parallel"});
  const auto nodes = root.array("partitions");
  if (nodes.empty()) root.fail("partitions", "must list at least one partition");
  limits::check_count(root, "partitions", nodes.size(), limits::kMaxPartitions);
  Layout layout;
  layout.name = root.get_or<std::string>("name", std::filesystem::path(source).stem().string());
  limits::check_name(root, "name", layout.name);
  layout.max_parallel = root.get_or<int>("max_parallel", default_max_parallel(nodes.size()));
  if (layout.max_parallel <= 0 || layout.max_parallel > limits::kMaxParallel)
    root.fail("max_parallel", "must be in 1.." + std::to_string(limits::kMaxParallel) + " (the limit of stages at once)");
  std::vector<int> sizes;
  std::vector<std::vector<int>> explicit_pieces(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const JsonView& node = nodes[i];
    node.expect_only({"name", "pieces", "sms"});
    if (node.has("pieces")) {
      auto pieces = node.get<std::vector<int>>("pieces");
      std::set<int> unique(pieces.begin(), pieces.end());
      if (pieces.empty() || unique.size() != pieces.size()) node.fail("pieces", "must list distinct piece indices");
      int sms = 0;
      for (int piece : pieces) {
        if (piece < 0 || piece > gpu.pieces || (piece == gpu.pieces && gpu.remainder_sms == 0))
          node.fail("pieces", "piece " + std::to_string(piece) + " does not exist (the GPU has pieces 0.." +
                                  std::to_string(gpu.pieces - 1) + " and remainder " + std::to_string(gpu.pieces) + ")");
        sms += piece == gpu.pieces ? gpu.remainder_sms : gpu.piece_sms;
      }
      if (node.has("sms") && node.get<int>("sms") != sms)
        node.fail("sms", "is " + std::to_string(node.get<int>("sms")) + " but its pieces hold " + std::to_string(sms));
      explicit_pieces[i] = std::vector<int>(unique.begin(), unique.end());
      sizes.push_back(sms);
    } else {
      const int sms = node.get<int>("sms");
      if (!buildable(sms, gpu))
        node.fail("sms", std::to_string(sms) + " SMs cannot be built on this GPU (multiples of " +
                             std::to_string(gpu.piece_sms) + " up to " + std::to_string(largest_piece_partition(gpu)) +
                             (gpu.remainder_sms > 0 ? ", optionally plus the " + std::to_string(gpu.remainder_sms) +
                                                          "-SM remainder" : std::string()) +
                             ", or all " + std::to_string(gpu.sm_count) + ")");
      sizes.push_back(sms);
    }
  }
  Layout built = layout_from_sizes(layout.name, sizes, gpu, layout.max_parallel);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    built.partitions[i].name = nodes[i].get_or<std::string>("name", built.partitions[i].name);
    limits::check_name(nodes[i], "name", built.partitions[i].name);
    if (!explicit_pieces[i].empty()) built.partitions[i].pieces = explicit_pieces[i];
  }
  return built;
}

Layout parse_layout(const std::string& spec, const GpuShape& gpu, int max_parallel, const std::string& source) {
  if (max_parallel < 0 || max_parallel > limits::kMaxParallel)
    throw InputError(source, "", "max_parallel " + std::to_string(max_parallel) + " is not in 0.." +
                                     std::to_string(limits::kMaxParallel) + " (0 = the layout's)");
  Layout layout;
  if (spec == "full") {
    layout = layout_from_sizes("full", {gpu.sm_count}, gpu, max_parallel);
  } else if (spec == "pieces") {
    layout = pieces_layout(gpu, max_parallel);
  } else if (spec.rfind("equal:", 0) == 0 || spec.rfind("stepwise:", 0) == 0) {
    const auto parts = split(spec, ':');
    if (parts.size() != 3)
      throw InputError(source, "", "'" + spec + "' must look like equal:N:B or stepwise:N:B, e.g. equal:2:1.5x");
    const int n = parse_count(parts[1], source);
    const double budget = parse_budget(parts[2], source);
    if (n > gpu.pieces)
      throw InputError(source, "", "'" + spec + "' asks for " + std::to_string(n) + " partitions but the GPU has only " +
                                       std::to_string(gpu.pieces) + " pieces");
    const double total = budget * gpu.sm_count;
    const bool equal = parts[0] == "equal";
    const double units = equal ? n : n * (n + 1) / 2.0;
    std::vector<double> targets;
    for (int i = 1; i <= n; ++i) targets.push_back(total * (equal ? 1 : i) / units);
    std::vector<int> sizes;
    if (budget <= 1.0 + 1e-9 && n > 1) {
      sizes = disjoint_sizes(targets, gpu);
    } else {
      for (double target : targets) sizes.push_back(round_to_pieces(target, gpu));
    }
    layout = layout_from_sizes(parts[0] + ":" + std::to_string(n) + ":" + budget_label(budget), sizes, gpu,
                               max_parallel);
  } else if (std::error_code ec; std::filesystem::exists(spec, ec)) {
    layout = layout_from_json(load_json_document(spec, "sgprs.layout", 1), spec, gpu);
    if (max_parallel > 0) layout.max_parallel = max_parallel;
  } else {
    throw InputError(source, "", "'" + spec + "' is not full, pieces, equal:N:B, stepwise:N:B or an existing layout file");
  }
  return layout;
}

std::vector<int> stream_priorities(const Layout& layout, int least, int greatest) {
  std::vector<double> weights;
  for (const Partition& p : layout.partitions) weights.push_back(p.share_weight);
  std::sort(weights.begin(), weights.end());
  weights.erase(std::unique(weights.begin(), weights.end()), weights.end());
  std::vector<int> out;
  for (const Partition& p : layout.partitions) {
    // Levels above the lowest weight: 0 for the lowest, 1 for the next distinct weight, ...
    const auto level = static_cast<int>(std::lower_bound(weights.begin(), weights.end(), p.share_weight) - weights.begin());
    out.push_back(std::max(greatest, least - level));
  }
  return out;
}

}  // namespace sgprs
