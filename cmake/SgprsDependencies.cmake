# Every dependency comes from the system (installed by the README's set-up).
find_package(nlohmann_json 3.10 REQUIRED)
find_package(Boost 1.74 CONFIG REQUIRED COMPONENTS headers)   # Boost.Graph is header-only
find_package(CLI11 CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(Threads REQUIRED)
if(SGPRS_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(SGPRS_BUILD_BENCH)
  find_package(benchmark CONFIG QUIET)
endif()
