# CMake platform module for CMAKE_SYSTEM_NAME WASI (CMake ships none before 3.31; wasi-sdk
# ships an equivalent). Found through CMAKE_MODULE_PATH, which cmake/wasi.cmake sets.
set(WASI 1)
set(UNIX 1)
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
set(CMAKE_STATIC_LIBRARY_PREFIX "lib")
set(CMAKE_STATIC_LIBRARY_SUFFIX ".a")
set(CMAKE_FIND_LIBRARY_PREFIXES "lib")
set(CMAKE_FIND_LIBRARY_SUFFIXES ".a")
# No shared libraries, no rpath.
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)
