// The conformance worlds of a build without the live platform's tests.
#include "conformance_worlds.hpp"

namespace sgprs::sim::test {

std::vector<World> scripted_worlds();

std::vector<World> conformance_worlds() { return scripted_worlds(); }

}  // namespace sgprs::sim::test
