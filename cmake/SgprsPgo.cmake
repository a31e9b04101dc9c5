# SGPRS_PGO: profile-guided optimisation with GCC, for the fastest simulator. The profile steers
# inlining, code layout, branch order and indirect-call promotion; it changes no floating-point flag
# (no -ffast-math, no FMA), so results stay byte-identical (bench/compare_builds.sh).
#   generate  instrumented build; running it writes a profile into BUILD/pgo-profile
#   use       build from BUILD/pgo-profile (bench/pgo_build.sh trains the folder, then builds so)
#   shipped   build from bench/pgo-profile, the profile trained once and committed
#             (bench/pgo_build.sh --ship): no training on the user's machine. tools/setup.sh's default.
# The profile files are named after each object's path inside the build folder
# (-fprofile-prefix-path), so any build folder of any checkout finds them. Code the training never
# ran, or changed since it (whose checksum no longer matches), is optimised as without a profile
# (-fprofile-partial-training). A profile from another GCC version is not read: the build is plain.
# A plain `cmake -S . -B build` leaves SGPRS_PGO empty.
set(SGPRS_PGO "" CACHE STRING "Profile-guided optimisation (GCC): empty, generate, use or shipped; see bench/pgo_build.sh")
set_property(CACHE SGPRS_PGO PROPERTY STRINGS "" generate use shipped)
if(SGPRS_PGO STREQUAL "")
  return()
endif()
if(NOT SGPRS_PGO MATCHES "^(generate|use|shipped)$")
  message(FATAL_ERROR "SGPRS_PGO must be empty, generate, use or shipped (got '${SGPRS_PGO}')")
endif()
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  if(SGPRS_PGO STREQUAL "shipped")
    message(STATUS "sgprs: profile-guided optimisation: none (the shipped profile is GCC's; this is ${CMAKE_CXX_COMPILER_ID})")
    return()
  endif()
  message(FATAL_ERROR "SGPRS_PGO needs GCC (this build uses ${CMAKE_CXX_COMPILER_ID})")
endif()

set(sgprs_pgo_dir "${PROJECT_BINARY_DIR}/pgo-profile")
if(SGPRS_PGO STREQUAL "shipped")
  set(sgprs_pgo_dir "${PROJECT_SOURCE_DIR}/bench/pgo-profile")
  set(sgprs_pgo_compiler "")
  if(EXISTS "${sgprs_pgo_dir}/gcc-version.txt")
    file(STRINGS "${sgprs_pgo_dir}/gcc-version.txt" sgprs_pgo_compiler LIMIT_COUNT 1)
  endif()
  if(NOT sgprs_pgo_compiler STREQUAL CMAKE_CXX_COMPILER_VERSION)
    message(STATUS "sgprs: profile-guided optimisation: none (bench/pgo-profile was trained with GCC "
                   "'${sgprs_pgo_compiler}', this is ${CMAKE_CXX_COMPILER_VERSION}; bench/pgo_build.sh trains one)")
    return()
  endif()
endif()

# C++ only: nvcc (the CUDA parts) knows no -fprofile-* option.
set(sgprs_pgo_where "-fprofile-prefix-path=${PROJECT_BINARY_DIR}")
if(SGPRS_PGO STREQUAL "generate")
  add_compile_options("$<$<COMPILE_LANGUAGE:CXX>:-fprofile-generate=${sgprs_pgo_dir};${sgprs_pgo_where}>")
  add_link_options("$<$<LINK_LANGUAGE:CXX>:-fprofile-generate=${sgprs_pgo_dir}>")
else()
  add_compile_options(
    "$<$<COMPILE_LANGUAGE:CXX>:-fprofile-use=${sgprs_pgo_dir};${sgprs_pgo_where};-fprofile-partial-training;-Wno-missing-profile;-Wno-coverage-mismatch>")
  # At the link too: link-time optimisation (SGPRS_HOT_PATH_LTO) reads the profile again there.
  add_link_options("$<$<LINK_LANGUAGE:CXX>:-fprofile-use=${sgprs_pgo_dir};-Wno-missing-profile;-Wno-coverage-mismatch>")
endif()
message(STATUS "sgprs: profile-guided optimisation: ${SGPRS_PGO} (${sgprs_pgo_dir})")
