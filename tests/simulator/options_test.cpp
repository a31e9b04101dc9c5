// Scheduler options: names, values, errors, provenance.
#include "simulator/policy/scheduler_options.hpp"

#include "common/errors.hpp"
#include "simulator/experiments/simulation.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sgprs::sim {
namespace {

TEST(SchedulerOptions, DefaultsAreThePapersAndRoundTripAsText) {
  SchedulerOptions o;
  for (const SchedulerOptionInfo& info : scheduler_option_infos()) {
    EXPECT_EQ(get_scheduler_option(o, info.name), info.paper_value) << info.name;
    SchedulerOptions copy;
    set_scheduler_option(copy, info.name, get_scheduler_option(o, info.name), "test");
    EXPECT_EQ(copy.to_json(), o.to_json());
  }
  set_scheduler_option(o, "waiting_order", "least-slack", "--option");
  set_scheduler_option(o, "deadline_fraction", "0.9", "--option");
  set_scheduler_option(o, "reference_partition", "largest", "--option");
  EXPECT_EQ(o.waiting_order, WaitingOrder::kLeastSlack);
  EXPECT_DOUBLE_EQ(o.deadline_fraction, 0.9);
  EXPECT_EQ(o.reference_partition, -2);
  EXPECT_EQ(o.to_json().at("waiting_order"), "least-slack");
}

TEST(SchedulerOptions, BadNamesAndValuesAreInputErrorsNamingTheOption) {
  SchedulerOptions o;
  try {
    set_scheduler_option(o, "waiting_order", "random", "--option");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), "--option");
    EXPECT_EQ(e.field(), "waiting_order");
  }
  EXPECT_THROW(set_scheduler_option(o, "no_such_option", "1", "--option"), InputError);
  EXPECT_THROW(set_scheduler_option(o, "deadline_fraction", "1.5", "--option"), InputError);
  EXPECT_THROW(set_scheduler_option(o, "deadline_fraction", "abc", "--option"), InputError);
  EXPECT_THROW(set_scheduler_option(o, "no_defer_last", "-1", "--option"), InputError);
  EXPECT_THROW(set_scheduler_option(o, "units", "layers", "--option"), InputError);
}

TEST(SchedulerOptions, UnitsAppearInTheProvenanceOnlyWhenWhole) {
  // Records written before the option existed stay valid: the default (stages) is left out.
  SchedulerOptions o;
  EXPECT_FALSE(o.to_json().contains("units"));
  set_scheduler_option(o, "units", "whole", "--option");
  EXPECT_EQ(o.units, JobUnits::kWhole);
  EXPECT_EQ(o.to_json().at("units"), "whole");
}

TEST(SchedulerOptions, RegisteredSchedulers) {
  EXPECT_EQ(scheduler_names(), (std::vector<std::string>{"sgprs", "sgprs-best", "naive", "sequential", "static", "streams"}));
  for (const std::string& name : scheduler_names()) EXPECT_FALSE(scheduler_description(name).empty());
}

}  // namespace
}  // namespace sgprs::sim
