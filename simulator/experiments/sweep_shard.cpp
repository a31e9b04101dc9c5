#include "simulator/experiments/sweep_shard.hpp"

#include "common/errors.hpp"

#include <charconv>

namespace sgprs::exp {

namespace {

bool parse_int(std::string_view text, int& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

ShardSpec parse_shard(const std::string& text, const std::string& flag) {
  const std::size_t slash = text.find('/');
  ShardSpec spec;
  if (slash == std::string::npos || !parse_int(std::string_view(text).substr(0, slash), spec.index) ||
      !parse_int(std::string_view(text).substr(slash + 1), spec.count))
    throw InputError(flag, "", "'" + text + "' is not I/N (shard I of N, I counted from 0)");
  if (spec.count < 1 || spec.index < 0 || spec.index >= spec.count)
    throw InputError(flag, "", "'" + text + "': need N >= 1 and 0 <= I < N");
  return spec;
}

int shard_of(const RunGrid& grid, const RunKey& key, int count) {
  const std::size_t group =
      (key.scheduler * grid.loads + key.load) * static_cast<std::size_t>(grid.repetitions) +
      static_cast<std::size_t>(key.repetition);
  return static_cast<int>(group % static_cast<std::size_t>(count));
}

}  // namespace sgprs::exp
