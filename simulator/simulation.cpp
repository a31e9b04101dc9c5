// Temporary: simulate() lands with the engine.
#include "simulator/simulation.hpp"

#include "common/errors.hpp"

namespace sgprs::sim {

std::vector<std::string> scheduler_names() { return {"sgprs", "naive", "sequential", "static"}; }
std::string scheduler_description(const std::string&) { return ""; }
Json Summary::to_json() const { return Json::object(); }
Summary simulate(const Profile&, const Workload&, const Layout&, const RunOptions&, const std::vector<Observer*>&) {
  throw NotAvailableError("simulate() is not built yet");
}

}  // namespace sgprs::sim
