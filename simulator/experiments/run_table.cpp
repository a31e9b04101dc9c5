#include "simulator/experiments/run_table.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace sgprs::exp {

namespace {

constexpr std::size_t kColumns = 19;

template <class T>
bool parse_int(const std::string& text, T& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool parse_double(const std::string& text, double& out) {
  if (text.empty()) return false;
  try {
    std::size_t used = 0;
    out = std::stod(text, &used);
    return used == text.size();
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

std::string number_text(double value) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", value);
  return buf;
}

namespace {

// The shortest text of at least 10 significant digits that reads back as exactly `value`, so that
// rows a resumed sweep reads from runs.csv aggregate to the same summary.csv as a fresh sweep.
std::string exact_number_text(double value) {
  char buf[40];
  for (int digits = 10; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

}  // namespace

const std::string& run_csv_header() {
  static const std::string header =
      "experiment,layout,scheduler,load,repetition,seed,tasks,utilisation,offered_jobs_per_s,bound_jobs_per_s,"
      "jobs_released,jobs_completed,jobs_on_time,jobs_skipped,jobs_aborted,miss_ratio,throughput_jobs_per_s,on_time_jobs_per_s,events_processed";
  return header;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') fields.back() += '"', ++i;
      else if (c == '"') quoted = false;
      else fields.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::string format_run_row(const RunRow& r) {
  const RunMetrics& m = r.metrics;
  std::string line = csv_field(r.experiment) + "," + csv_field(r.layout) + "," + csv_field(r.scheduler) + "," +
                     csv_field(r.load) + "," + std::to_string(r.repetition) + "," + std::to_string(r.seed) + "," +
                     std::to_string(r.tasks) + "," + exact_number_text(r.utilisation) + "," + exact_number_text(r.offered_jobs_per_s) + "," +
                     exact_number_text(r.bound_jobs_per_s) + "," + std::to_string(m.jobs_released) + "," +
                     std::to_string(m.jobs_completed) + "," + std::to_string(m.jobs_on_time) + "," +
                     std::to_string(m.jobs_skipped) + "," + std::to_string(m.jobs_aborted) + "," + exact_number_text(m.miss_ratio) + "," +
                     exact_number_text(m.throughput_jobs_per_s) + "," + exact_number_text(m.on_time_jobs_per_s) + "," +
                     std::to_string(m.events_processed);
  return line;
}

std::optional<RunRow> parse_run_row(const std::string& line) {
  const std::vector<std::string> f = split_csv_line(line);
  if (f.size() != kColumns) return std::nullopt;
  RunRow r;
  r.experiment = f[0];
  r.layout = f[1];
  r.scheduler = f[2];
  r.load = f[3];
  RunMetrics& m = r.metrics;
  const bool ok = parse_int(f[4], r.repetition) && parse_int(f[5], r.seed) && parse_int(f[6], r.tasks) &&
                  parse_double(f[7], r.utilisation) && parse_double(f[8], r.offered_jobs_per_s) &&
                  parse_double(f[9], r.bound_jobs_per_s) && parse_int(f[10], m.jobs_released) &&
                  parse_int(f[11], m.jobs_completed) && parse_int(f[12], m.jobs_on_time) &&
                  parse_int(f[13], m.jobs_skipped) && parse_int(f[14], m.jobs_aborted) &&
                  parse_double(f[15], m.miss_ratio) && parse_double(f[16], m.throughput_jobs_per_s) &&
                  parse_double(f[17], m.on_time_jobs_per_s) && parse_int(f[18], m.events_processed);
  if (!ok) return std::nullopt;
  return r;
}

std::string run_identity(const std::string& layout, const std::string& scheduler, const std::string& load, int repetition) {
  return layout + "\x1f" + scheduler + "\x1f" + load + "\x1f" + std::to_string(repetition);
}

}  // namespace sgprs::exp
