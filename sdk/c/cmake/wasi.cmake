# CMake toolchain file for WASI preview1 guests (wasm32-wasip1, or wasm32-wasip1-threads).
#
#   cmake -S app -B build -DCMAKE_TOOLCHAIN_FILE=<wasock>/sdk/c/cmake/wasi.cmake [-DWASOCK_THREADS=ON]
#
# Compiler and sysroot:
#   * WASI_SDK_PREFIX set (CMake variable or environment): wasi-sdk's clang and its
#     share/wasi-sysroot;
#   * otherwise clang-19 + wasm-ld with the repository's sysroot, <wasock>/.sysroot/<target>,
#     which scripts/setup-sysroot assembles (run automatically when it is missing). Override the
#     directory holding the sysroots with WASOCK_SYSROOT_DIR.
# WASOCK_THREADS=ON targets wasm32-wasip1-threads: -pthread, and the module imports a shared
# memory (--shared-memory --import-memory --export-memory --max-memory=WASOCK_MAX_MEMORY).
# WASOCK_WASI_TARGET overrides the triple (e.g. wasm32-wasi for an old wasi-sdk).
# WASOCK_STACK_SIZE (bytes, default 1048576 as scripts/wasi-cc) sizes the linear-memory stack,
# which goes first in memory (-Wl,--stack-first) so that an overflow traps and wasock names it;
# a size in CMAKE_EXE_LINKER_FLAGS or LDFLAGS, or a target's own
# target_link_options(-Wl,-z,stack-size=N), wins.
# WASOCK_EMULATED (default ON) defines _WASI_EMULATED_{SIGNAL,GETPID,PROCESS_CLOCKS,MMAN} and
# links wasi-sdk's emulation libraries, as scripts/wasi-cc does.

set(CMAKE_SYSTEM_NAME WASI)
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
# Platform/WASI.cmake (CMake < 3.31 has none).
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")

# Settings also needed inside CMake's try_compile projects.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES
     WASOCK_THREADS WASOCK_MAX_MEMORY WASOCK_STACK_SIZE WASOCK_WASI_TARGET WASOCK_SYSROOT_DIR
     WASOCK_EMULATED
     WASI_SDK_PREFIX)

if(NOT DEFINED WASOCK_THREADS)
    if(DEFINED ENV{WASOCK_THREADS})
        set(WASOCK_THREADS "$ENV{WASOCK_THREADS}")
    else()
        set(WASOCK_THREADS OFF)
    endif()
endif()
set(WASOCK_THREADS "${WASOCK_THREADS}" CACHE BOOL "Build for wasm32-wasip1-threads (wasi-threads, shared memory)")
set(WASOCK_MAX_MEMORY "1073741824" CACHE STRING "Maximum linear memory in bytes for threaded modules")
set(WASOCK_STACK_SIZE "1048576" CACHE STRING "Linear-memory stack in bytes (main thread; also each pthread's default)")

if(WASOCK_THREADS)
    set(_wasock_default_target wasm32-wasip1-threads)
else()
    set(_wasock_default_target wasm32-wasip1)
endif()
if(NOT WASOCK_WASI_TARGET)
    set(WASOCK_WASI_TARGET ${_wasock_default_target})
endif()

if(NOT DEFINED WASI_SDK_PREFIX AND DEFINED ENV{WASI_SDK_PREFIX} AND NOT "$ENV{WASI_SDK_PREFIX}" STREQUAL "")
    set(WASI_SDK_PREFIX "$ENV{WASI_SDK_PREFIX}")
endif()

set(_wasock_c_flags "")            # CMAKE_C_FLAGS_INIT: header search path hygiene
set(_wasock_compile_options "")    # always applied
set(_wasock_link_options "")       # always applied

if(WASI_SDK_PREFIX)
    # wasi-sdk: its own clang, tools and sysroot.
    set(CMAKE_C_COMPILER "${WASI_SDK_PREFIX}/bin/clang")
    set(CMAKE_CXX_COMPILER "${WASI_SDK_PREFIX}/bin/clang++")
    set(CMAKE_ASM_COMPILER "${WASI_SDK_PREFIX}/bin/clang")
    set(CMAKE_AR "${WASI_SDK_PREFIX}/bin/llvm-ar" CACHE FILEPATH "archiver")
    set(CMAKE_RANLIB "${WASI_SDK_PREFIX}/bin/llvm-ranlib" CACHE FILEPATH "ranlib")
    set(CMAKE_SYSROOT "${WASI_SDK_PREFIX}/share/wasi-sysroot")
else()
    # The repository's toolchain: clang-19, wasm-ld (lld-19) and the assembled sysroot.
    get_filename_component(_wasock_root "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
    if(NOT WASOCK_SYSROOT_DIR)
        set(WASOCK_SYSROOT_DIR "${_wasock_root}/.sysroot")
    endif()
    if(NOT EXISTS "${WASOCK_SYSROOT_DIR}/.complete" AND EXISTS "${_wasock_root}/scripts/setup-sysroot")
        message(STATUS "wasi.cmake: assembling the WASI sysroot (scripts/setup-sysroot)")
        execute_process(COMMAND "${_wasock_root}/scripts/setup-sysroot" RESULT_VARIABLE _wasock_rc)
        if(NOT _wasock_rc EQUAL 0)
            message(FATAL_ERROR "wasi.cmake: scripts/setup-sysroot failed (run scripts/setup first)")
        endif()
    endif()
    if(NOT EXISTS "${WASOCK_SYSROOT_DIR}/${WASOCK_WASI_TARGET}/include")
        message(FATAL_ERROR "wasi.cmake: no sysroot at ${WASOCK_SYSROOT_DIR}/${WASOCK_WASI_TARGET} "
                            "(run scripts/setup-sysroot, or set WASI_SDK_PREFIX)")
    endif()
    find_program(_wasock_clang NAMES clang-19 clang REQUIRED)
    find_program(_wasock_ar NAMES llvm-ar-19 llvm-ar REQUIRED)
    find_program(_wasock_ranlib NAMES llvm-ranlib-19 llvm-ranlib REQUIRED)
    set(CMAKE_C_COMPILER "${_wasock_clang}")
    set(CMAKE_AR "${_wasock_ar}" CACHE FILEPATH "archiver")
    set(CMAKE_RANLIB "${_wasock_ranlib}" CACHE FILEPATH "ranlib")
    set(CMAKE_SYSROOT "${WASOCK_SYSROOT_DIR}/${WASOCK_WASI_TARGET}")
    # Same flags as scripts/wasi-cc: a private resource dir (clang's headers + wasm32
    # compiler-rt) and only the sysroot's headers.
    set(_wasock_res "${WASOCK_SYSROOT_DIR}/clang-resource")
    string(APPEND _wasock_c_flags
           " -resource-dir ${_wasock_res} -nostdlibinc -isystem ${_wasock_res}/include"
           " -isystem ${CMAKE_SYSROOT}/include")
    list(APPEND _wasock_link_options -resource-dir ${_wasock_res} -fuse-ld=lld)
endif()

set(CMAKE_C_COMPILER_TARGET ${WASOCK_WASI_TARGET})
set(CMAKE_CXX_COMPILER_TARGET ${WASOCK_WASI_TARGET})
set(CMAKE_ASM_COMPILER_TARGET ${WASOCK_WASI_TARGET})

# Directory link options come after CMAKE_EXE_LINKER_FLAGS on the link line: a size the user
# already gives there (or in LDFLAGS) is left alone instead of overridden.
if("${CMAKE_EXE_LINKER_FLAGS} $ENV{LDFLAGS}" MATCHES "stack-size")
    list(APPEND _wasock_link_options -Wl,--stack-first)
else()
    list(APPEND _wasock_link_options -Wl,-z,stack-size=${WASOCK_STACK_SIZE} -Wl,--stack-first)
endif()
# wasi-sdk's emulations (signal, getpid, process clocks, mman) on by default, as in
# scripts/wasi-cc: a POSIX program builds with only its own flags. The libraries are archives,
# linked only when used; WASOCK_EMULATED=OFF leaves both out (sdk/c/README.md, "Porting").
set(WASOCK_EMULATED ON CACHE BOOL "Define _WASI_EMULATED_* and link wasi-sdk's emulation libraries")
if(WASOCK_EMULATED)
    list(APPEND _wasock_compile_options -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_GETPID
         -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_MMAN)
    list(APPEND _wasock_link_options -lwasi-emulated-signal -lwasi-emulated-getpid
         -lwasi-emulated-process-clocks -lwasi-emulated-mman)
endif()
if(WASOCK_THREADS)
    list(APPEND _wasock_compile_options -pthread)
    list(APPEND _wasock_link_options -pthread -Wl,--shared-memory -Wl,--import-memory -Wl,--export-memory
         -Wl,--max-memory=${WASOCK_MAX_MEMORY})
endif()

# The flags the build cannot do without go in as directory options (once per configure), not
# through CMAKE_<LANG>_FLAGS_INIT, which a user's -DCMAKE_C_FLAGS=... would replace.
get_property(_wasock_options_added GLOBAL PROPERTY _WASOCK_TOOLCHAIN_OPTIONS_ADDED)
if(NOT _wasock_options_added)
    set_property(GLOBAL PROPERTY _WASOCK_TOOLCHAIN_OPTIONS_ADDED TRUE)
    if(_wasock_compile_options)
        add_compile_options(${_wasock_compile_options})
    endif()
    if(_wasock_link_options)
        add_link_options(${_wasock_link_options})
    endif()
endif()
set(CMAKE_C_FLAGS_INIT "${_wasock_c_flags}")
set(CMAKE_CXX_FLAGS_INIT "${_wasock_c_flags}")

set(CMAKE_EXECUTABLE_SUFFIX ".wasm")

# Headers and libraries only from the sysroot; programs from the host; packages from both
# (so that find_package(wasock-socket) finds an install prefix on CMAKE_PREFIX_PATH).
set(CMAKE_FIND_ROOT_PATH "${CMAKE_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
