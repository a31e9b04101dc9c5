# SGPRS_SANITIZE: every target built with AddressSanitizer and UndefinedBehaviorSanitizer, any
# report fatal (tools/setup.sh test builds and tests this in its own folder, CUDA off).
# SGPRS_FUZZ: the libFuzzer targets of tests/fuzz (clang only; Debian's libclang-rt-*-dev).
option(SGPRS_SANITIZE "Build with -fsanitize=address,undefined (any report aborts)" OFF)
option(SGPRS_FUZZ "Build the libFuzzer targets in tests/fuzz (needs clang; implies the sanitizers there)" OFF)

set(SGPRS_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
if(SGPRS_SANITIZE)
  if(SGPRS_HAVE_CUDA)
    message(FATAL_ERROR "SGPRS_SANITIZE needs SGPRS_CUDA=OFF (the CUDA parts are not built sanitized)")
  endif()
  # -O1: the usual trade between the sanitizers' run time and their compile time.
  add_compile_options(${SGPRS_SANITIZER_FLAGS} -O1)
  add_link_options(${SGPRS_SANITIZER_FLAGS})
  message(STATUS "sgprs: sanitizers ON (address, undefined)")
endif()
if(SGPRS_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "SGPRS_FUZZ needs clang (CXX=clang++): libFuzzer is part of clang")
endif()
