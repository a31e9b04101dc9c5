# SGPRS_PGO: profile-guided optimisation with GCC, for the fastest simulator. bench/pgo_build.sh
# configures a folder with SGPRS_PGO=generate, builds `sgprs`, runs a training workload (short
# paper sweeps and a mixed sweep), and rebuilds the same folder with SGPRS_PGO=use, which reads the
# profile left beside each object. The profile steers inlining, code layout, branch order and
# indirect-call promotion; it changes no floating-point flag (no -ffast-math, no FMA), so results
# stay byte-identical (bench/compare_builds.sh). Code the training never ran is optimised as
# without a profile (-fprofile-partial-training). tools/setup.sh makes its build this way with GCC;
# a plain `cmake -S . -B build` leaves SGPRS_PGO empty.
set(SGPRS_PGO "" CACHE STRING "Profile-guided optimisation (GCC): empty, generate or use; see bench/pgo_build.sh")
set_property(CACHE SGPRS_PGO PROPERTY STRINGS "" generate use)
if(SGPRS_PGO STREQUAL "")
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  message(FATAL_ERROR "SGPRS_PGO needs GCC (this build uses ${CMAKE_CXX_COMPILER_ID})")
endif()
if(SGPRS_PGO STREQUAL "generate")
  # C++ only: nvcc (the CUDA parts) knows no -fprofile-* option.
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fprofile-generate>)
  add_link_options($<$<LINK_LANGUAGE:CXX>:-fprofile-generate>)
elseif(SGPRS_PGO STREQUAL "use")
  # A source changed since the training, or never run by it, has no usable profile: compiled as usual.
  add_compile_options(
    "$<$<COMPILE_LANGUAGE:CXX>:-fprofile-use;-fprofile-partial-training;-Wno-missing-profile;-Wno-coverage-mismatch>")
  add_link_options($<$<LINK_LANGUAGE:CXX>:-fprofile-use>)
else()
  message(FATAL_ERROR "SGPRS_PGO must be empty, generate or use (got '${SGPRS_PGO}')")
endif()
message(STATUS "sgprs: profile-guided optimisation: ${SGPRS_PGO}")
