# One INTERFACE target carries the project's warning flags; every target links it.
add_library(sgprs_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(sgprs_warnings INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion>
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-Wno-restrict>)  # GCC 12 false positives in std::string
endif()

# Test executables as unity builds (tools/setup.sh test): their files share GoogleTest and
# nlohmann/json, whose code is then generated once per batch of files instead of once per file. Off
# by default, so that an edited test recompiles alone. The libraries never are: the shipped profile
# of the profile-guided build is keyed by their object files' names.
option(SGPRS_UNITY_TESTS "Build the test executables as unity builds" OFF)

# sgprs_add_test(NAME SOURCES... LIBS ...): one GoogleTest executable registered with CTest.
function(sgprs_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  # Not for one file: nothing is shared, and GCC would take the included file for a header
  # (-Wsubobject-linkage on test fixtures in an anonymous namespace).
  list(LENGTH ARG_SOURCES source_count)
  if(SGPRS_UNITY_TESTS AND source_count GREATER 1)
    set_target_properties(${name} PROPERTIES UNITY_BUILD ON)
  endif()
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main sgprs_warnings)
  target_compile_definitions(${name} PRIVATE SGPRS_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  include(GoogleTest)
  gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} DISCOVERY_TIMEOUT 60)
endfunction()
