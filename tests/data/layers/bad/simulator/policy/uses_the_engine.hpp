#pragma once
// A policy header that includes the simulated engine: the layer check must refuse it.
#include "simulator/sim/gpu_model.hpp"
